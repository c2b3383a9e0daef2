using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>
/// An embedded SQLite database: one file in a local data folder, in WAL mode so that readers do
/// not wait on the writer. The schema moves forward by numbered steps recorded in
/// <c>PRAGMA user_version</c>, so an existing data folder is upgraded, never rebuilt. The store's own
/// schema is <see cref="StoreMigrations"/>; the scan audit keeps a file of its own (<see cref="SqliteAuditDatabase"/>).
/// </summary>
internal sealed class SqliteDatabase(string connectionString, IReadOnlyList<string> migrations) : IStoreDatabase, IDisposable
{
    /// <summary>The service's store, with its schema.</summary>
    public SqliteDatabase(string connectionString)
        : this(connectionString, StoreMigrations)
    {
    }

    // One schema history on two engines (DESIGN §11): PostgreSQL builds the same tables from the scripts in Postgres/
    // (0001_schema.sql is steps 1 to 12 with the audit's file). A change is a step here and a numbered script there, in
    // one commit; SchemaParityTests compares the tables, columns and indexes the two build and fails when they differ.
    private static readonly string[] StoreMigrations =
    [
        // 1: residents, sessions, declarations and codes.
        """
        CREATE TABLE residents (
            id          TEXT PRIMARY KEY,
            phone       TEXT NOT NULL UNIQUE,
            created_at  INTEGER NOT NULL
        );
        CREATE TABLE sessions (
            token_hash  TEXT PRIMARY KEY,
            resident_id TEXT NOT NULL REFERENCES residents(id),
            expires_at  INTEGER NOT NULL
        );
        CREATE TABLE declarations (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            resident_id     TEXT NOT NULL REFERENCES residents(id),
            submitted_at    INTEGER NOT NULL,
            day             TEXT NOT NULL,
            payload         TEXT NOT NULL,
            raw_color       INTEGER NOT NULL,
            color           INTEGER NOT NULL,
            negative_test   INTEGER NOT NULL,
            policy_version  TEXT NOT NULL
        );
        CREATE INDEX declarations_by_resident ON declarations(resident_id, day);
        CREATE TABLE codes (
            resident_id     TEXT PRIMARY KEY REFERENCES residents(id),
            code_id         TEXT NOT NULL UNIQUE,
            color           INTEGER NOT NULL,
            reasons         TEXT NOT NULL,
            green_after     TEXT,
            status_version  INTEGER NOT NULL,
            updated_at      INTEGER NOT NULL,
            masked_name     TEXT NOT NULL,
            id_tail         TEXT NOT NULL,
            id_number       TEXT NOT NULL
        );
        """,
        // 2: checkpoint staff, the lookup by ID card, and the hash-chained scan audit.
        """
        ALTER TABLE codes ADD COLUMN full_name TEXT NOT NULL DEFAULT '';
        CREATE INDEX codes_by_id_number ON codes(id_number);
        CREATE TABLE staff (
            id              TEXT PRIMARY KEY,
            name            TEXT NOT NULL,
            checkpoint_id   TEXT NOT NULL,
            token_hash      TEXT NOT NULL UNIQUE,
            created_at      INTEGER NOT NULL,
            expires_at      INTEGER NOT NULL,
            revoked_at      INTEGER
        );
        CREATE TABLE audit (
            seq             INTEGER PRIMARY KEY,
            at              INTEGER NOT NULL,
            checkpoint_id   TEXT NOT NULL,
            staff_id        TEXT NOT NULL,
            action          TEXT NOT NULL,
            issuer          TEXT,
            code_id         TEXT,
            outcome         TEXT NOT NULL,
            prev_hash       TEXT NOT NULL,
            hash            TEXT NOT NULL
        );
        CREATE INDEX audit_by_time ON audit(at);
        CREATE TABLE audit_anchor (
            id              INTEGER PRIMARY KEY CHECK (id = 1),
            seq             INTEGER NOT NULL,
            hash            TEXT NOT NULL
        );
        """,
        // 3: bilateral partners, hub members, and the lists this instance signs (its trust list; in hub mode the federation list).
        """
        CREATE TABLE partners (
            iss             TEXT PRIMARY KEY,
            name            TEXT NOT NULL,
            trust_list_url  TEXT NOT NULL,
            root_key        TEXT NOT NULL,
            added_at        INTEGER NOT NULL
        );
        CREATE TABLE hub_members (
            iss             TEXT PRIMARY KEY,
            name            TEXT NOT NULL,
            trust_list_url  TEXT NOT NULL,
            root_key        TEXT NOT NULL,
            status          TEXT NOT NULL,
            added_at        INTEGER NOT NULL
        );
        CREATE TABLE signed_lists (
            kind            TEXT PRIMARY KEY,
            seq             INTEGER NOT NULL,
            content_hash    TEXT NOT NULL,
            jws             TEXT NOT NULL
        );
        """,
        // 4: persons (DESIGN §8). A code, its declaration history and (later) shared facts belong to
        // the person with an ID number, not to the phone account that declared. Each existing code
        // becomes a person. Where two accounts declared one ID number (what this step closes: a
        // second phone turning a red code green), the person is bound to the account that declared
        // first and keeps the most severe of the codes, so red stays red; the other accounts are
        // left without a holder and are answered identity_bound_elsewhere when they declare again.
        """
        CREATE TABLE persons (
            id              TEXT PRIMARY KEY,
            id_number       TEXT NOT NULL UNIQUE,
            full_name       TEXT NOT NULL,
            account_id      TEXT REFERENCES residents(id),
            role            TEXT CHECK (role IN ('holder', 'dependant')),
            bound_at        INTEGER,
            created_at      INTEGER NOT NULL,
            CHECK ((account_id IS NULL) = (role IS NULL))
        );
        CREATE UNIQUE INDEX persons_one_holder_per_account ON persons(account_id) WHERE role = 'holder';
        CREATE INDEX persons_by_account ON persons(account_id);

        CREATE TEMP TABLE first_declaration AS
            SELECT resident_id, min(submitted_at) AS at FROM declarations GROUP BY resident_id;
        INSERT INTO persons (id, id_number, full_name, account_id, role, bound_at, created_at)
            SELECT lower(hex(randomblob(12))), id_number, full_name, resident_id, 'holder', at, at
            FROM (
                SELECT c.id_number, c.full_name, c.resident_id, coalesce(f.at, c.updated_at) AS at,
                       row_number() OVER (PARTITION BY c.id_number ORDER BY coalesce(f.at, c.updated_at), c.resident_id) AS rank
                FROM codes c LEFT JOIN first_declaration f ON f.resident_id = c.resident_id
            )
            WHERE rank = 1;

        CREATE TABLE person_codes (
            person_id       TEXT PRIMARY KEY REFERENCES persons(id),
            code_id         TEXT NOT NULL UNIQUE,
            color           INTEGER NOT NULL,
            reasons         TEXT NOT NULL,
            green_after     TEXT,
            status_version  INTEGER NOT NULL,
            updated_at      INTEGER NOT NULL,
            masked_name     TEXT NOT NULL,
            id_tail         TEXT NOT NULL
        );
        INSERT INTO person_codes (person_id, code_id, color, reasons, green_after, status_version, updated_at, masked_name, id_tail)
            SELECT p.id, c.code_id, c.color, c.reasons, c.green_after, c.status_version, c.updated_at, c.masked_name, c.id_tail
            FROM (
                SELECT *, row_number() OVER (PARTITION BY id_number ORDER BY color DESC, updated_at DESC) AS rank FROM codes
            ) c
            JOIN persons p ON p.id_number = c.id_number
            WHERE c.rank = 1;

        -- Declarations keep the account that sent them (resident_id) and now name the person they are for.
        ALTER TABLE declarations ADD COLUMN person_id TEXT REFERENCES persons(id);
        UPDATE declarations SET person_id =
            (SELECT p.id FROM codes c JOIN persons p ON p.id_number = c.id_number WHERE c.resident_id = declarations.resident_id);
        CREATE INDEX declarations_by_person ON declarations(person_id, day);

        DROP TABLE codes;
        ALTER TABLE person_codes RENAME TO codes;
        DROP TABLE first_declaration;

        -- Who moved a person to another phone, how and why (DESIGN §8).
        CREATE TABLE person_transfers (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            at              INTEGER NOT NULL,
            person_id       TEXT NOT NULL REFERENCES persons(id),
            from_account    TEXT NOT NULL,
            to_account      TEXT NOT NULL,
            method          TEXT NOT NULL,
            reason          TEXT
        );
        """,
        // 5: audit chain head (issue 9): the last entry's seq and hash, moved in the same transaction as the
        // entries, so that entries deleted from the end of the chain are detected. Self-contained: it starts
        // from whatever the chain holds (its last entry, else its anchor, else genesis), whichever step ran before.
        """
        CREATE TABLE audit_head (
            id              INTEGER PRIMARY KEY CHECK (id = 1),
            seq             INTEGER NOT NULL,
            hash            TEXT NOT NULL
        );
        INSERT INTO audit_head (id, seq, hash)
        SELECT 1, seq, hash FROM (
            SELECT seq, hash FROM audit
            UNION ALL SELECT seq, hash FROM audit_anchor
            UNION ALL SELECT 0, '0000000000000000000000000000000000000000000000000000000000000000'
        )
        ORDER BY seq DESC LIMIT 1;
        """,
        // 6: the sharing catalogue (DESIGN §9): departments with the public key they sign batches with, and the
        // catalogue's entries; the service keeps each entry's last applied batch and row count.
        """
        CREATE TABLE departments (
            code            TEXT PRIMARY KEY,
            name            TEXT NOT NULL,
            key_jwk         TEXT NOT NULL,
            kid             TEXT NOT NULL,
            added_at        INTEGER NOT NULL
        );
        CREATE TABLE catalog (
            code            TEXT PRIMARY KEY,
            name            TEXT NOT NULL,
            provider        TEXT NOT NULL,
            summary         TEXT NOT NULL,
            kind            TEXT NOT NULL,
            items           TEXT NOT NULL,
            sharing         TEXT NOT NULL,
            update_cycle    TEXT NOT NULL,
            legal_basis     TEXT NOT NULL,
            purpose         TEXT NOT NULL,
            retention_days  INTEGER NOT NULL,
            published_at    INTEGER NOT NULL,
            last_batch_at   INTEGER,
            rows            INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX catalog_by_provider ON catalog(provider);
        """,
        // 7: batches and the facts they carry (DESIGN §9). A batch is received into a file, checked, then applied in
        // chunks (a crash resumes it from its file: every row is an idempotent upsert or retraction by its key) and
        // the persons whose facts changed are re-scored. Facts belong to persons (§8): a person the service does
        // not know yet is created without an account and keeps their facts until they first declare.
        """
        CREATE TABLE batches (
            source          TEXT NOT NULL,
            batch_id        TEXT NOT NULL,
            status          TEXT NOT NULL,
            kind            TEXT NOT NULL,
            content_type    TEXT NOT NULL,
            sha256          TEXT NOT NULL,
            rows_declared   INTEGER NOT NULL,
            produced_at     INTEGER NOT NULL,
            manifest        TEXT NOT NULL,
            uploaded_by     TEXT NOT NULL,
            received_at     INTEGER NOT NULL,
            finished_at     INTEGER,
            file            TEXT,
            rows_read       INTEGER NOT NULL DEFAULT 0,
            applied         INTEGER NOT NULL DEFAULT 0,
            rejected        INTEGER NOT NULL DEFAULT 0,
            reason          TEXT,
            PRIMARY KEY (source, batch_id)
        );
        CREATE TABLE batch_errors (
            source          TEXT NOT NULL,
            batch_id        TEXT NOT NULL,
            line            INTEGER NOT NULL,
            field           TEXT NOT NULL,
            code            TEXT NOT NULL
        );
        CREATE INDEX batch_errors_by_batch ON batch_errors(source, batch_id, line);
        CREATE TABLE batch_persons (
            source          TEXT NOT NULL,
            batch_id        TEXT NOT NULL,
            person_id       TEXT NOT NULL,
            PRIMARY KEY (source, batch_id, person_id)
        ) WITHOUT ROWID;
        -- What else a batch touched, for finding whom to re-score: the regions whose designation changed (with the
        -- prefix a declared region must start with) and the journeys (service, day) whose travellers may be co-travellers.
        CREATE TABLE batch_regions (
            source          TEXT NOT NULL,
            batch_id        TEXT NOT NULL,
            prefix          TEXT NOT NULL,
            PRIMARY KEY (source, batch_id, prefix)
        ) WITHOUT ROWID;
        CREATE TABLE batch_services (
            source          TEXT NOT NULL,
            batch_id        TEXT NOT NULL,
            service         TEXT NOT NULL,
            day             TEXT NOT NULL,
            PRIMARY KEY (source, batch_id, service, day)
        ) WITHOUT ROWID;

        CREATE TABLE fact_population (
            id_number       TEXT PRIMARY KEY,
            name            TEXT NOT NULL,
            region          TEXT NOT NULL,
            source          TEXT NOT NULL,
            batch_id        TEXT NOT NULL
        );
        CREATE TABLE fact_risk_areas (
            region          TEXT NOT NULL,
            from_day        TEXT NOT NULL,
            to_day          TEXT NOT NULL,
            level           TEXT NOT NULL,
            source          TEXT NOT NULL,
            batch_id        TEXT NOT NULL,
            PRIMARY KEY (region, from_day)
        );
        CREATE TABLE fact_cases (
            person_id       TEXT PRIMARY KEY REFERENCES persons(id),
            status          TEXT NOT NULL,
            at              INTEGER NOT NULL,
            source          TEXT NOT NULL,
            batch_id        TEXT NOT NULL
        );
        CREATE TABLE fact_close_contacts (
            person_id       TEXT NOT NULL REFERENCES persons(id),
            case_ref        TEXT NOT NULL,
            notified_at     INTEGER NOT NULL,
            until_day       TEXT NOT NULL,
            source          TEXT NOT NULL,
            batch_id        TEXT NOT NULL,
            PRIMARY KEY (person_id, case_ref)
        ) WITHOUT ROWID;
        CREATE TABLE fact_tests (
            person_id       TEXT NOT NULL REFERENCES persons(id),
            sampled_at      INTEGER NOT NULL,
            lab             TEXT NOT NULL,
            result          TEXT NOT NULL,
            source          TEXT NOT NULL,
            batch_id        TEXT NOT NULL,
            PRIMARY KEY (person_id, sampled_at, lab)
        ) WITHOUT ROWID;
        CREATE TABLE fact_travel (
            person_id       TEXT NOT NULL REFERENCES persons(id),
            mode            TEXT NOT NULL,
            service         TEXT NOT NULL,
            day             TEXT NOT NULL,
            from_region     TEXT NOT NULL,
            to_region       TEXT NOT NULL,
            source          TEXT NOT NULL,
            batch_id        TEXT NOT NULL,
            PRIMARY KEY (person_id, mode, service, day)
        ) WITHOUT ROWID;
        CREATE INDEX fact_travel_by_service ON fact_travel(service, day);
        """,
        // 8: named operators (DESIGN §10 "Named operators"): accounts the bootstrap key creates, each with its roles and
        // one bearer token kept as its SHA-256 only; and who did what in the audit: an operator action's actor (id and
        // name) and its target, NULL for the entries before and for scans (their hashes do not cover these columns).
        """
        CREATE TABLE operators (
            id              TEXT PRIMARY KEY,
            name            TEXT NOT NULL,
            roles           TEXT NOT NULL,
            token_hash      TEXT NOT NULL UNIQUE,
            created_at      INTEGER NOT NULL,
            expires_at      INTEGER NOT NULL,
            revoked_at      INTEGER,
            created_by      TEXT NOT NULL
        );
        ALTER TABLE audit ADD COLUMN actor_id TEXT;
        ALTER TABLE audit ADD COLUMN actor_name TEXT;
        ALTER TABLE audit ADD COLUMN target TEXT;
        """,
        // 9: the data-use log (DESIGN §10 "Data-use log"): every use of a person's shared data, hash-chained like the
        // scan audit, with its head in the same transaction as each append, so entries removed from its end are seen.
        """
        CREATE TABLE data_use (
            seq             INTEGER PRIMARY KEY,
            at              INTEGER NOT NULL,
            person_id       TEXT NOT NULL,
            purpose         TEXT NOT NULL,
            actor           TEXT NOT NULL,
            source          TEXT,
            batch_id        TEXT,
            prev_hash       TEXT NOT NULL,
            hash            TEXT NOT NULL
        );
        CREATE INDEX data_use_by_person ON data_use(person_id, seq);
        CREATE INDEX data_use_by_source ON data_use(source, at);
        CREATE INDEX data_use_by_time ON data_use(at);
        CREATE TABLE data_use_head (
            id              INTEGER PRIMARY KEY CHECK (id = 1),
            seq             INTEGER NOT NULL,
            hash            TEXT NOT NULL
        );
        INSERT INTO data_use_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
        """,
        // 10: offices (DESIGN §10 "Grassroots offices"). Each code keeps when it last became
        // its colour (color_since: "red since ...") and the person's area, the region of their latest declaration, so an
        // office's counts and list are an index range, not a parse of every declaration. Existing codes start from what
        // they have: their last update, and the region their latest declaration names.
        """
        ALTER TABLE codes ADD COLUMN color_since INTEGER NOT NULL DEFAULT 0;
        UPDATE codes SET color_since = updated_at;
        ALTER TABLE codes ADD COLUMN region TEXT;
        UPDATE codes SET region = (
            SELECT json_extract(d.payload, '$.region') FROM declarations d
            WHERE d.person_id = codes.person_id ORDER BY d.submitted_at DESC, d.id DESC LIMIT 1);
        CREATE INDEX codes_by_region ON codes(region, color);
        """,
        // 11: disputes and overrides (DESIGN §10). A dispute names a person's fact by its source and batch; at most one is
        // open per person, source and batch. It ends retracted (the department's batch removed or replaced the row),
        // overridden (a four-eyes override answering it took effect) or rejected (the fact stands, with a note). An
        // override is proposed by one health operator and made active by another; at most one is active per person.
        """
        CREATE TABLE disputes (
            seq             INTEGER PRIMARY KEY AUTOINCREMENT,
            id              TEXT NOT NULL UNIQUE,
            person_id       TEXT NOT NULL REFERENCES persons(id),
            source          TEXT NOT NULL,
            batch_id        TEXT NOT NULL,
            reason          TEXT NOT NULL,
            filed_at        INTEGER NOT NULL,
            filed_by        TEXT NOT NULL,
            state           TEXT NOT NULL CHECK (state IN ('open', 'retracted', 'overridden', 'rejected')),
            resolved_at     INTEGER,
            resolved_by     TEXT,
            override_id     TEXT,
            note            TEXT
        );
        CREATE UNIQUE INDEX disputes_one_open ON disputes(person_id, source, batch_id) WHERE state = 'open';
        CREATE INDEX disputes_by_person ON disputes(person_id, seq);
        CREATE INDEX disputes_by_state ON disputes(state, seq);
        CREATE TABLE overrides (
            seq             INTEGER PRIMARY KEY AUTOINCREMENT,
            id              TEXT NOT NULL UNIQUE,
            person_id       TEXT NOT NULL REFERENCES persons(id),
            color           TEXT NOT NULL CHECK (color IN ('green', 'yellow', 'red')),
            reason          TEXT NOT NULL,
            rule            TEXT NOT NULL,
            until_day       TEXT NOT NULL,
            dispute_id      TEXT REFERENCES disputes(id),
            state           TEXT NOT NULL CHECK (state IN ('proposed', 'active', 'rejected', 'withdrawn', 'superseded', 'expired')),
            proposed_by     TEXT NOT NULL,
            proposed_by_name TEXT NOT NULL,
            proposed_at     INTEGER NOT NULL,
            decided_by      TEXT,
            decided_by_name TEXT,
            decided_at      INTEGER,
            note            TEXT
        );
        CREATE UNIQUE INDEX overrides_one_active ON overrides(person_id) WHERE state = 'active';
        CREATE INDEX overrides_by_state ON overrides(state, seq);
        """,
        // 12: how many persons an applied batch re-scored, so its status still says so once it is applied.
        """
        ALTER TABLE batches ADD COLUMN rescored INTEGER NOT NULL DEFAULT 0;
        """,
        // 13 (PostgreSQL 0002_batch_claims.sql): who is applying an unfinished batch, until when (IBatchStore.ClaimAsync), so
        // that of several instances sharing a store only one receives, applies or resumes a batch.
        """
        ALTER TABLE batches ADD COLUMN claimed_by TEXT;
        ALTER TABLE batches ADD COLUMN claimed_until INTEGER;
        """,
        // 14 (PostgreSQL 0005_batch_bodies.sql): a received batch's body, encrypted, in parts, until it is applied, so that
        // any instance sharing the store can take up a batch whose instance is gone with its data folder (BatchBodies).
        """
        CREATE TABLE batch_bodies (
            source          TEXT NOT NULL,
            batch_id        TEXT NOT NULL,
            part            INTEGER NOT NULL,
            data            BLOB NOT NULL,
            PRIMARY KEY (source, batch_id, part)
        );
        """,
        // 15 (PostgreSQL 0003_privacy.sql): personal fields encrypted at rest (DESIGN §11). Phones, ID numbers, names and
        // declaration payloads hold FieldCipher values from now on, written by the stores and, for rows written before,
        // by the re-encryption job at the next start (PersonalDataJob); look-ups and uniqueness go through keyed blind
        // indexes, NULL until the job has read the clear value. (The old UNIQUE of residents.phone and persons.id_number
        // stays: SQLite drops a column constraint only by rebuilding a table others refer to, and a ciphertext with a
        // random nonce never meets another.) SQL that read regions inside a payload reads declaration_regions: region
        // codes of the declared area and travel, keyed by the pseudonymous person and declaration, which identify no one
        // on their own; they are filled here from the payloads still in clear.
        """
        ALTER TABLE residents ADD COLUMN phone_index TEXT;
        CREATE UNIQUE INDEX residents_by_phone_index ON residents(phone_index);
        ALTER TABLE persons ADD COLUMN id_number_index TEXT;
        CREATE UNIQUE INDEX persons_by_id_number_index ON persons(id_number_index);
        ALTER TABLE fact_population ADD COLUMN id_number_index TEXT;
        CREATE UNIQUE INDEX fact_population_by_id_number_index ON fact_population(id_number_index);
        CREATE TABLE declaration_regions (
            declaration_id  INTEGER NOT NULL,
            person_id       TEXT,
            day             TEXT NOT NULL,
            region          TEXT NOT NULL
        );
        CREATE INDEX declaration_regions_by_declaration ON declaration_regions(declaration_id);
        CREATE INDEX declaration_regions_by_day ON declaration_regions(day);
        INSERT INTO declaration_regions (declaration_id, person_id, day, region)
            SELECT id, person_id, day, json_extract(payload, '$.region') FROM declarations
            WHERE json_valid(payload) AND json_type(payload, '$.region') = 'text'
            UNION ALL
            SELECT d.id, d.person_id, d.day, json_extract(j.value, '$.region') FROM declarations d, json_each(d.payload, '$.travel') j
            WHERE json_valid(d.payload) AND json_type(d.payload, '$.travel') = 'array' AND json_type(j.value, '$.region') = 'text';
        """,
    ];

    /// <summary>How long a writer that finds the write lock taken waits for it inside SQLite (see <see cref="OpenAsync"/>).</summary>
    private const int BusyTimeoutMilliseconds = 5000;

    private readonly SemaphoreSlim writeTurns = new(1, 1);

    private int turnWaiters;

    public SqlDialect Dialect => SqlDialect.Sqlite;

    /// <summary>The database file (its <c>Data Source</c>).</summary>
    public string FilePath { get; } = new SqliteConnectionStringBuilder(connectionString).DataSource;

    /// <summary>
    /// Another database in the folder of this one, opened with the same connection settings: <c>hc.db</c> with
    /// <paramref name="infix"/> <c>audit</c> is <c>hc.audit.db</c>.
    /// </summary>
    public SqliteDatabase Beside(string infix, IReadOnlyList<string> schema)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource != ":memory:")
        {
            builder.DataSource = Path.Combine(Path.GetDirectoryName(builder.DataSource) ?? "",
                $"{Path.GetFileNameWithoutExtension(builder.DataSource)}.{infix}{Path.GetExtension(builder.DataSource)}");
        }

        return new SqliteDatabase(builder.ToString(), schema);
    }

    /// <summary>Moves the schema forward to the latest step.</summary>
    public Task MigrateAsync(CancellationToken cancellationToken) => MigrateAsync(int.MaxValue, cancellationToken);

    /// <summary>Moves the schema forward up to step <paramref name="through"/> (tests of an upgrade start from an old schema).</summary>
    public async Task MigrateAsync(int through, CancellationToken cancellationToken)
    {
        KeepPrivate();
        await using var connection = await OpenAsync(cancellationToken);
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var version = connection.CreateCommand();
        version.CommandText = "PRAGMA user_version";
        var current = Convert.ToInt32(await version.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        for (var step = current; step < Math.Min(through, migrations.Count); step++)
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using var migrate = connection.CreateCommand();
            migrate.Transaction = transaction;
            migrate.CommandText = $"{migrations[step]}\nPRAGMA user_version = {step + 1};";
            await migrate.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The file holds ID numbers, names, phones and what residents declared: readable by the service's own user only
    /// (0600), its folder created 0700. SQLite creates its <c>-wal</c> and <c>-shm</c> files with the database file's
    /// permissions (https://sqlite.org/tempfiles.html), so they follow. A file from before is narrowed the same way.
    /// </summary>
    private void KeepPrivate()
    {
        if (FilePath == ":memory:" || string.IsNullOrEmpty(FilePath))
        {
            return;
        }

        var file = Path.GetFullPath(FilePath);
        var folder = Path.GetDirectoryName(file);
        if (OperatingSystem.IsWindows())
        {
            // No Unix modes there: the folder's access list decides (the service runs on Linux, DESIGN §11).
            Directory.CreateDirectory(folder!);
            return;
        }

        if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if (!File.Exists(file))
        {
            // An empty file is a new database to SQLite; created here, it never exists with wider permissions.
            using var created = new FileStream(file, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly });
        }
        else if (File.GetUnixFileMode(file) != OwnerOnly)
        {
            File.SetUnixFileMode(file, OwnerOnly);
        }
    }

    /// <summary>
    /// An open connection whose writes wait for a taken write lock inside SQLite, whose busy handler tries again
    /// after 1, 2, 5, 10 ... 100 ms (https://sqlite.org/c3ref/busy_timeout.html). Without it Microsoft.Data.Sqlite
    /// answers SQLITE_BUSY by sleeping 150 ms before it tries again, so a scan whose audit commit met a declaration's
    /// or a batch's transaction waited 150 ms or more for a lock held for a few (docs/PERFORMANCE.md, issue 10).
    /// </summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        SQLitePCL.raw.sqlite3_busy_timeout(connection.Handle, BusyTimeoutMilliseconds);
        return connection;
    }

    async Task<DbConnection> IStoreDatabase.OpenConnectionAsync(CancellationToken cancellationToken) => await OpenAsync(cancellationToken);

    /// <summary>A deferred transaction: it takes no write lock, and WAL mode gives its reads one snapshot.</summary>
    Task<DbTransaction> IStoreDatabase.BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    /// <summary>
    /// Waits for this instance's turn at the write lock, first come first served: a batch's chunks and re-scorings,
    /// which follow each other without a pause, a lookup's data use, a declaration (and, in the audit's own file, the
    /// scans' audit commits). SQLite keeps
    /// no queue for its lock: a writer that finds it taken polls, and a batch that begins its next chunk the moment it
    /// committed the last one wins nearly every time, so scans waited for its whole apply (docs/PERFORMANCE.md, issue
    /// 10). With turns, a writer waits for at most the rows of the chunk that holds the lock. Dispose the turn after the commit.
    /// </summary>
    public async Task<IDisposable> TakeWriteTurnAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref turnWaiters);
        try
        {
            await writeTurns.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref turnWaiters);
        }

        return new WriteTurn(writeTurns);
    }

    /// <summary>Whether someone waits for the write turn: a long writer holding it should commit and hand it over.</summary>
    public bool WriteTurnWanted => Volatile.Read(ref turnWaiters) > 0;

    public void Dispose() => writeTurns.Dispose();

    private sealed class WriteTurn(SemaphoreSlim turns) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                turns.Release();
            }
        }
    }
}
