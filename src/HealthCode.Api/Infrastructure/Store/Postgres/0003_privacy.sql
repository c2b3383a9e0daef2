-- SQLite's step 14: personal fields encrypted at rest (DESIGN §11). Phones, ID numbers, names and declaration payloads
-- hold FieldCipher values from now on, written by the stores and, for rows written before, by the re-encryption job at
-- the next start (PersonalDataJob); look-ups and uniqueness go through keyed blind indexes, NULL until the job has read
-- the clear value. The UNIQUE constraints on the clear columns go (a ciphertext with a random nonce never meets another);
-- fact_population keeps its primary key on id_number, by which the job finds a row still in clear.
-- SQL that read regions inside a payload reads declaration_regions: region codes of the declared area and travel, keyed
-- by the pseudonymous person and declaration, which identify no one on their own; filled here from the clear payloads.
ALTER TABLE residents ADD COLUMN phone_index text;
ALTER TABLE residents DROP CONSTRAINT residents_phone_key;
CREATE UNIQUE INDEX residents_by_phone_index ON residents(phone_index);
ALTER TABLE persons ADD COLUMN id_number_index text;
ALTER TABLE persons DROP CONSTRAINT persons_id_number_key;
CREATE UNIQUE INDEX persons_by_id_number_index ON persons(id_number_index);
ALTER TABLE fact_population ADD COLUMN id_number_index text;
CREATE UNIQUE INDEX fact_population_by_id_number_index ON fact_population(id_number_index);
CREATE TABLE declaration_regions (
    declaration_id  bigint NOT NULL,
    person_id       text,
    day             text NOT NULL,
    region          text NOT NULL
);
CREATE INDEX declaration_regions_by_declaration ON declaration_regions(declaration_id);
CREATE INDEX declaration_regions_by_day ON declaration_regions(day);
INSERT INTO declaration_regions (declaration_id, person_id, day, region)
    SELECT id, person_id, day, payload::jsonb ->> 'region' FROM declarations
    WHERE jsonb_typeof(payload::jsonb -> 'region') = 'string'
    UNION ALL
    SELECT d.id, d.person_id, d.day, j.value ->> 'region'
    FROM declarations d CROSS JOIN LATERAL jsonb_array_elements(
        CASE WHEN jsonb_typeof(d.payload::jsonb -> 'travel') = 'array' THEN d.payload::jsonb -> 'travel' ELSE '[]'::jsonb END) j
    WHERE jsonb_typeof(j.value -> 'region') = 'string';
