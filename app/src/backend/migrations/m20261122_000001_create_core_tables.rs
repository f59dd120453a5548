//! The whole data model of SPEC.md: accounts, tenants, memberships, role templates,
//! groups, invitations, password resets, sessions, two-factor recovery codes,
//! access requests, the mail outbox, rate limits and the audit log.
//! Times are milliseconds since the Unix epoch (UTC) in BIGINT columns.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000001_create_core_tables"
    }
}

fn id<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}
fn big<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).big_integer().not_null().to_owned()
}
fn big_null<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).big_integer().null().to_owned()
}
fn text<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).string().not_null().to_owned()
}
fn text_null<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).string().null().to_owned()
}
fn flag<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .boolean()
        .not_null()
        .default(false)
        .to_owned()
}
fn fk(
    from_table: impl IntoIden + 'static,
    from_col: impl IntoIden + 'static,
    to_table: impl IntoIden + 'static,
    to_col: impl IntoIden + 'static,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .on_delete(on_delete)
        .to_owned()
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    Email,
    DisplayName,
    PasswordHash,
    PasswordChangedAt,
    TotpSecret,
    TotpEnabledAt,
    TotpLastStep,
    FailedSignIns,
    LockedUntil,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    Name,
    Kind,
    Plan,
    SeatLimit,
    RequireAdminTwoFactor,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TenantFeatures {
    Table,
    TenantId,
    Feature,
    Enabled,
    BetaOnly,
}

#[derive(DeriveIden)]
enum RoleTemplates {
    Table,
    Id,
    TenantId,
    Name,
    Description,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RoleTemplatePermissions {
    Table,
    TemplateId,
    Permission,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    Id,
    TenantId,
    AccountId,
    Role,
    RoleTemplateId,
    Status,
    CrmAccess,
    BetaAccess,
    LastLoginAt,
    InvitedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MembershipPermissions {
    Table,
    MembershipId,
    Permission,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
    TenantId,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum GroupMembers {
    Table,
    GroupId,
    MembershipId,
}

#[derive(DeriveIden)]
enum GroupTemplates {
    Table,
    GroupId,
    TemplateId,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    TenantId,
    MembershipId,
    TokenHash,
    InvitedBy,
    CreatedAt,
    ExpiresAt,
    AcceptedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum PasswordResets {
    Table,
    Id,
    AccountId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    TokenHash,
    AccountId,
    TenantId,
    Stage,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    Ip,
    UserAgent,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    AccountId,
    CodeHash,
    UsedAt,
}

#[derive(DeriveIden)]
enum AccessRequests {
    Table,
    Id,
    TenantId,
    MembershipId,
    Permission,
    Feature,
    Message,
    Status,
    DecidedBy,
    Justification,
    CreatedAt,
    DecidedAt,
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Id,
    Recipient,
    Subject,
    BodyText,
    BodyHtml,
    Attempts,
    NextAttemptAt,
    SentAt,
    LastError,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RateLimits {
    Table,
    Key,
    WindowStart,
    Count,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    TenantId,
    ActorAccountId,
    ActorEmail,
    Action,
    TargetType,
    TargetId,
    TargetLabel,
    Before,
    After,
    Ip,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict, SetNull};

        manager
            .create_table(
                Table::create()
                    .table(Accounts::Table)
                    .col(id(Accounts::Id))
                    .col(text(Accounts::Email).unique_key())
                    .col(text(Accounts::DisplayName).default(""))
                    .col(text_null(Accounts::PasswordHash))
                    .col(big_null(Accounts::PasswordChangedAt))
                    .col(text_null(Accounts::TotpSecret))
                    .col(big_null(Accounts::TotpEnabledAt))
                    .col(big_null(Accounts::TotpLastStep))
                    .col(big(Accounts::FailedSignIns).default(0))
                    .col(big_null(Accounts::LockedUntil))
                    .col(big(Accounts::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Tenants::Table)
                    .col(id(Tenants::Id))
                    .col(text(Tenants::Name).unique_key())
                    .col(text(Tenants::Kind))
                    .col(text(Tenants::Plan))
                    .col(big(Tenants::SeatLimit))
                    .col(flag(Tenants::RequireAdminTwoFactor))
                    .col(big(Tenants::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TenantFeatures::Table)
                    .col(big(TenantFeatures::TenantId))
                    .col(text(TenantFeatures::Feature))
                    .col(flag(TenantFeatures::Enabled))
                    .col(flag(TenantFeatures::BetaOnly))
                    .primary_key(
                        Index::create()
                            .col(TenantFeatures::TenantId)
                            .col(TenantFeatures::Feature),
                    )
                    .foreign_key(&mut fk(
                        TenantFeatures::Table,
                        TenantFeatures::TenantId,
                        Tenants::Table,
                        Tenants::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RoleTemplates::Table)
                    .col(id(RoleTemplates::Id))
                    .col(big(RoleTemplates::TenantId))
                    .col(text(RoleTemplates::Name))
                    .col(text(RoleTemplates::Description).default(""))
                    .col(big(RoleTemplates::CreatedAt))
                    .col(big(RoleTemplates::UpdatedAt))
                    .foreign_key(&mut fk(
                        RoleTemplates::Table,
                        RoleTemplates::TenantId,
                        Tenants::Table,
                        Tenants::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_role_templates_tenant_name")
                    .table(RoleTemplates::Table)
                    .col(RoleTemplates::TenantId)
                    .col(RoleTemplates::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RoleTemplatePermissions::Table)
                    .col(big(RoleTemplatePermissions::TemplateId))
                    .col(text(RoleTemplatePermissions::Permission))
                    .primary_key(
                        Index::create()
                            .col(RoleTemplatePermissions::TemplateId)
                            .col(RoleTemplatePermissions::Permission),
                    )
                    .foreign_key(&mut fk(
                        RoleTemplatePermissions::Table,
                        RoleTemplatePermissions::TemplateId,
                        RoleTemplates::Table,
                        RoleTemplates::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Memberships::Table)
                    .col(id(Memberships::Id))
                    .col(big(Memberships::TenantId))
                    .col(big(Memberships::AccountId))
                    .col(text(Memberships::Role))
                    .col(big_null(Memberships::RoleTemplateId))
                    .col(text(Memberships::Status))
                    .col(flag(Memberships::CrmAccess))
                    .col(flag(Memberships::BetaAccess))
                    .col(big_null(Memberships::LastLoginAt))
                    .col(big_null(Memberships::InvitedBy))
                    .col(big(Memberships::CreatedAt))
                    .col(big(Memberships::UpdatedAt))
                    .foreign_key(&mut fk(
                        Memberships::Table,
                        Memberships::TenantId,
                        Tenants::Table,
                        Tenants::Id,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Memberships::Table,
                        Memberships::AccountId,
                        Accounts::Table,
                        Accounts::Id,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Memberships::Table,
                        Memberships::RoleTemplateId,
                        RoleTemplates::Table,
                        RoleTemplates::Id,
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            (
                "ux_memberships_tenant_account",
                vec![Memberships::TenantId, Memberships::AccountId],
                true,
            ),
            (
                "ix_memberships_tenant_id",
                vec![Memberships::TenantId, Memberships::Id],
                false,
            ),
            (
                "ix_memberships_tenant_status",
                vec![Memberships::TenantId, Memberships::Status, Memberships::Id],
                false,
            ),
            (
                "ix_memberships_tenant_role",
                vec![Memberships::TenantId, Memberships::Role, Memberships::Id],
                false,
            ),
            (
                "ix_memberships_account",
                vec![Memberships::AccountId],
                false,
            ),
            (
                "ix_memberships_template",
                vec![Memberships::RoleTemplateId],
                false,
            ),
        ] {
            let mut index = Index::create()
                .name(name)
                .table(Memberships::Table)
                .to_owned();
            for c in cols {
                index.col(c);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(MembershipPermissions::Table)
                    .col(big(MembershipPermissions::MembershipId))
                    .col(text(MembershipPermissions::Permission))
                    .primary_key(
                        Index::create()
                            .col(MembershipPermissions::MembershipId)
                            .col(MembershipPermissions::Permission),
                    )
                    .foreign_key(&mut fk(
                        MembershipPermissions::Table,
                        MembershipPermissions::MembershipId,
                        Memberships::Table,
                        Memberships::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Groups::Table)
                    .col(id(Groups::Id))
                    .col(big(Groups::TenantId))
                    .col(text(Groups::Name))
                    .col(big(Groups::CreatedAt))
                    .foreign_key(&mut fk(
                        Groups::Table,
                        Groups::TenantId,
                        Tenants::Table,
                        Tenants::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_groups_tenant_name")
                    .table(Groups::Table)
                    .col(Groups::TenantId)
                    .col(Groups::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GroupMembers::Table)
                    .col(big(GroupMembers::GroupId))
                    .col(big(GroupMembers::MembershipId))
                    .primary_key(
                        Index::create()
                            .col(GroupMembers::GroupId)
                            .col(GroupMembers::MembershipId),
                    )
                    .foreign_key(&mut fk(
                        GroupMembers::Table,
                        GroupMembers::GroupId,
                        Groups::Table,
                        Groups::Id,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        GroupMembers::Table,
                        GroupMembers::MembershipId,
                        Memberships::Table,
                        Memberships::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GroupTemplates::Table)
                    .col(big(GroupTemplates::GroupId))
                    .col(big(GroupTemplates::TemplateId))
                    .primary_key(
                        Index::create()
                            .col(GroupTemplates::GroupId)
                            .col(GroupTemplates::TemplateId),
                    )
                    .foreign_key(&mut fk(
                        GroupTemplates::Table,
                        GroupTemplates::GroupId,
                        Groups::Table,
                        Groups::Id,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        GroupTemplates::Table,
                        GroupTemplates::TemplateId,
                        RoleTemplates::Table,
                        RoleTemplates::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Invitations::Table)
                    .col(id(Invitations::Id))
                    .col(big(Invitations::TenantId))
                    .col(big(Invitations::MembershipId))
                    .col(text(Invitations::TokenHash).unique_key())
                    .col(big_null(Invitations::InvitedBy))
                    .col(big(Invitations::CreatedAt))
                    .col(big(Invitations::ExpiresAt))
                    .col(big_null(Invitations::AcceptedAt))
                    .col(big_null(Invitations::RevokedAt))
                    .foreign_key(&mut fk(
                        Invitations::Table,
                        Invitations::TenantId,
                        Tenants::Table,
                        Tenants::Id,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Invitations::Table,
                        Invitations::MembershipId,
                        Memberships::Table,
                        Memberships::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_invitations_membership")
                    .table(Invitations::Table)
                    .col(Invitations::MembershipId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PasswordResets::Table)
                    .col(id(PasswordResets::Id))
                    .col(big(PasswordResets::AccountId))
                    .col(text(PasswordResets::TokenHash).unique_key())
                    .col(big(PasswordResets::CreatedAt))
                    .col(big(PasswordResets::ExpiresAt))
                    .col(big_null(PasswordResets::UsedAt))
                    .col(big_null(PasswordResets::RevokedAt))
                    .foreign_key(&mut fk(
                        PasswordResets::Table,
                        PasswordResets::AccountId,
                        Accounts::Table,
                        Accounts::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(id(Sessions::Id))
                    .col(text(Sessions::TokenHash).unique_key())
                    .col(big(Sessions::AccountId))
                    .col(big_null(Sessions::TenantId))
                    .col(text(Sessions::Stage))
                    .col(big(Sessions::CreatedAt))
                    .col(big(Sessions::LastSeenAt))
                    .col(big(Sessions::ExpiresAt))
                    .col(text(Sessions::Ip).default(""))
                    .col(text(Sessions::UserAgent).default(""))
                    .foreign_key(&mut fk(
                        Sessions::Table,
                        Sessions::AccountId,
                        Accounts::Table,
                        Accounts::Id,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Sessions::Table,
                        Sessions::TenantId,
                        Tenants::Table,
                        Tenants::Id,
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sessions_account")
                    .table(Sessions::Table)
                    .col(Sessions::AccountId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .col(id(RecoveryCodes::Id))
                    .col(big(RecoveryCodes::AccountId))
                    .col(text(RecoveryCodes::CodeHash))
                    .col(big_null(RecoveryCodes::UsedAt))
                    .foreign_key(&mut fk(
                        RecoveryCodes::Table,
                        RecoveryCodes::AccountId,
                        Accounts::Table,
                        Accounts::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AccessRequests::Table)
                    .col(id(AccessRequests::Id))
                    .col(big(AccessRequests::TenantId))
                    .col(big(AccessRequests::MembershipId))
                    .col(text_null(AccessRequests::Permission))
                    .col(text_null(AccessRequests::Feature))
                    .col(text(AccessRequests::Message).default(""))
                    .col(text(AccessRequests::Status))
                    .col(big_null(AccessRequests::DecidedBy))
                    .col(text_null(AccessRequests::Justification))
                    .col(big(AccessRequests::CreatedAt))
                    .col(big_null(AccessRequests::DecidedAt))
                    .foreign_key(&mut fk(
                        AccessRequests::Table,
                        AccessRequests::TenantId,
                        Tenants::Table,
                        Tenants::Id,
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        AccessRequests::Table,
                        AccessRequests::MembershipId,
                        Memberships::Table,
                        Memberships::Id,
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MailOutbox::Table)
                    .col(id(MailOutbox::Id))
                    .col(text(MailOutbox::Recipient))
                    .col(text(MailOutbox::Subject))
                    .col(ColumnDef::new(MailOutbox::BodyText).text().not_null())
                    .col(ColumnDef::new(MailOutbox::BodyHtml).text().not_null())
                    .col(big(MailOutbox::Attempts).default(0))
                    .col(big(MailOutbox::NextAttemptAt))
                    .col(big_null(MailOutbox::SentAt))
                    .col(text_null(MailOutbox::LastError))
                    .col(big(MailOutbox::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_mail_outbox_pending")
                    .table(MailOutbox::Table)
                    .col(MailOutbox::SentAt)
                    .col(MailOutbox::NextAttemptAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RateLimits::Table)
                    .col(
                        ColumnDef::new(RateLimits::Key)
                            .string()
                            .not_null()
                            .primary_key(),
                    )
                    .col(big(RateLimits::WindowStart))
                    .col(big(RateLimits::Count))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(id(AuditEvents::Id))
                    .col(big_null(AuditEvents::TenantId))
                    .col(big_null(AuditEvents::ActorAccountId))
                    .col(text(AuditEvents::ActorEmail))
                    .col(text(AuditEvents::Action))
                    .col(text(AuditEvents::TargetType))
                    .col(big_null(AuditEvents::TargetId))
                    .col(text(AuditEvents::TargetLabel))
                    .col(ColumnDef::new(AuditEvents::Before).text().null())
                    .col(ColumnDef::new(AuditEvents::After).text().null())
                    .col(text(AuditEvents::Ip).default(""))
                    .col(big(AuditEvents::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_events_tenant")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::TenantId)
                    .col(AuditEvents::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditEvents::Table.into_iden(),
            RateLimits::Table.into_iden(),
            MailOutbox::Table.into_iden(),
            AccessRequests::Table.into_iden(),
            RecoveryCodes::Table.into_iden(),
            Sessions::Table.into_iden(),
            PasswordResets::Table.into_iden(),
            Invitations::Table.into_iden(),
            GroupTemplates::Table.into_iden(),
            GroupMembers::Table.into_iden(),
            Groups::Table.into_iden(),
            MembershipPermissions::Table.into_iden(),
            Memberships::Table.into_iden(),
            RoleTemplatePermissions::Table.into_iden(),
            RoleTemplates::Table.into_iden(),
            TenantFeatures::Table.into_iden(),
            Tenants::Table.into_iden(),
            Accounts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
