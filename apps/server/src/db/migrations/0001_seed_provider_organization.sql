-- The provider organization (the MSP itself) always exists; platform admins belong to it.
INSERT INTO "organizations" ("id", "name", "is_provider")
VALUES ('00000000-0000-0000-0000-000000000002', 'Provider', true)
ON CONFLICT DO NOTHING;
