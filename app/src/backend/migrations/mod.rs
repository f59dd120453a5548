//! Schema history. Each migration is frozen once it lands; new changes get a new file.

use sea_orm_migration::prelude::*;

mod m20261122_000001_create_core_tables;
mod m20261122_000002_reset_requests;
mod m20261202_000003_data_hygiene;
mod m20261202_000004_account_disable;
mod m20261202_000005_sandbox_pairs;
mod m20261202_000006_sign_in_group;
mod m20261202_000007_who_can_index;
mod m20261202_000008_temporary_access;
mod m20261202_000009_temporary_role_beta;
mod m20261202_000010_access_reviews;
mod m20261202_000011_users_page_speed;
mod m20261202_000012_api_keys;
mod m20261202_000013_check_decisions;
mod m20261203_000014_webhooks;
mod m20261203_000015_provisioning;
mod m20261203_000016_mail_headers;
mod m20261204_000017_color_scheme;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_core_tables::Migration),
            Box::new(m20261122_000002_reset_requests::Migration),
            Box::new(m20261202_000003_data_hygiene::Migration),
            Box::new(m20261202_000004_account_disable::Migration),
            Box::new(m20261202_000005_sandbox_pairs::Migration),
            Box::new(m20261202_000006_sign_in_group::Migration),
            Box::new(m20261202_000007_who_can_index::Migration),
            Box::new(m20261202_000008_temporary_access::Migration),
            Box::new(m20261202_000009_temporary_role_beta::Migration),
            Box::new(m20261202_000010_access_reviews::Migration),
            Box::new(m20261202_000011_users_page_speed::Migration),
            Box::new(m20261202_000012_api_keys::Migration),
            Box::new(m20261202_000013_check_decisions::Migration),
            Box::new(m20261203_000014_webhooks::Migration),
            Box::new(m20261203_000015_provisioning::Migration),
            Box::new(m20261203_000016_mail_headers::Migration),
            Box::new(m20261204_000017_color_scheme::Migration),
        ]
    }
}
