-- Run once by the postgres image on its first start (/docker-entrypoint-initdb.d), as the POSTGRES_USER.
-- One database per province; the hub's (healthcode_hub) is POSTGRES_DB. The service creates its tables
-- itself (numbered migrations) on start.
CREATE DATABASE healthcode_410000;
CREATE DATABASE healthcode_330000;
CREATE DATABASE healthcode_440000;
