//! What the benches share: seeding a tenant with members in bulk.

use app::backend::kernel::db::Db;
use sea_orm::{ConnectionTrait, Statement};

/// Adds `count` members (`user{i}@bench.example`) to the tenant, a thousand per
/// statement: a tenth suspended, a seventh invited, the rest active.
pub async fn seed(db: &Db, tenant_id: i64, count: usize) {
    let backend = db.conn().get_database_backend();
    let txn = db.begin_write().await.unwrap();
    for chunk in (0..count).collect::<Vec<_>>().chunks(1000) {
        let accounts: Vec<String> = chunk
            .iter()
            .map(|i| format!("('user{i}@bench.example', '', 0, 1)"))
            .collect();
        txn.execute(Statement::from_string(
            backend,
            format!(
                "INSERT INTO accounts (email, display_name, failed_sign_ins, created_at) VALUES {}",
                accounts.join(",")
            ),
        ))
        .await
        .unwrap();
        txn.execute(Statement::from_string(
            backend,
            format!(
                "INSERT INTO memberships (tenant_id, account_id, role, status, crm_access, beta_access, created_at, updated_at) \
                 SELECT {tenant_id}, id, 'user', CASE WHEN id % 10 = 0 THEN 'suspended' WHEN id % 7 = 0 THEN 'invited' ELSE 'active' END, \
                 false, false, 1, 1 FROM accounts WHERE email IN ({})",
                chunk.iter().map(|i| format!("'user{i}@bench.example'")).collect::<Vec<_>>().join(",")
            ),
        ))
        .await
        .unwrap();
    }
    txn.commit().await.unwrap();
}
