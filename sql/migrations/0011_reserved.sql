-- migration: reserved for a concurrent branch
-- Placeholder: version 11 belongs to a migration written on another branch at the same time;
-- this file only keeps the numbering consecutive here. Delete it when that branch's 0011 is
-- merged (both together fail parseMigrations: two version 11).
SELECT 1;
