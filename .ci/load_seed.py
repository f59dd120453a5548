#!/usr/bin/env python3
"""`make load`: adds N members (accounts and active/suspended/invited memberships)
to the first tenant of a Gatehouse SQLite database, straight into the tables (the
triggers keep the counts and the search index)."""
import sqlite3
import sys

db, n = sys.argv[1], int(sys.argv[2])
con = sqlite3.connect(db)
tenant = con.execute("SELECT id FROM tenants ORDER BY id LIMIT 1").fetchone()[0]
with con:
    con.executemany(
        "INSERT INTO accounts (email, display_name, failed_sign_ins, created_at) VALUES (?, '', 0, 1)",
        ((f"user{i}@load.example",) for i in range(n)),
    )
    con.execute(
        """INSERT INTO memberships (tenant_id, account_id, role, status, crm_access, beta_access, created_at, updated_at)
           SELECT ?, id, 'user', CASE WHEN id % 10 = 0 THEN 'suspended' WHEN id % 7 = 0 THEN 'invited' ELSE 'active' END,
                  0, 0, 1, 1 FROM accounts WHERE email LIKE 'user%@load.example'""",
        (tenant,),
    )
count = con.execute("SELECT COUNT(*) FROM memberships WHERE tenant_id = ?", (tenant,)).fetchone()[0]
print(f"seeded: the tenant has {count} members")
