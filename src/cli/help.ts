/**
 * `--help` texts of the CLI, with examples. Kept beside the option parser's defaults so they say the same.
 */

/** Overview: `dynamo-replicator --help`. */
export const MAIN_HELP = `dynamo-replicator — operator tools for a DynamoDB replica fed by the master's stream

Usage:
  dynamo-replicator zip [--out FILE]                          write the function's zip for the Lambda console
  dynamo-replicator create-slave <master> <slave> [options]   create the slave from the master's definition
  dynamo-replicator backfill     <master> <slave> [options]   copy every master item the slave lacks
  dynamo-replicator verify       <master> <slave> [options]   compare both tables; --repair fixes the slave

Tables are named region/table (e.g. us-east-1/Orders) or by their ARN (arn:aws:dynamodb:<region>:<account>:table/
<name>, a table another account's policy opens to you), or with --from-region/--from-table and
--to-region/--to-table. Credentials, region endpoints and AWS_ENDPOINT_URL_DYNAMODB come from the AWS SDK's
default chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO, instance roles, …); --from-role-arn/--from-profile and
--to-role-arn/--to-profile give the master and the slave their own credentials (tables in two accounts).

Run "dynamo-replicator <command> --help" for the options of a command.
`;

/** The per-side credentials options every command that reaches both tables takes (options.ts ACCESS_OPTIONS). */
const CREDENTIALS = `Credentials per side (tables in two accounts; default: the SDK's default chain for both):
  --from-role-arn <arn>       read the master (and its stream) as this role, assumed with the default chain's
                              credentials (sts:AssumeRole; STS of AWS_REGION, else the master's region)
  --from-external-id <id>     external id the master's role requires (needs --from-role-arn)
  --from-profile <name>       read the master with this profile of ~/.aws/config (not with --from-role-arn)
  --to-role-arn <arn>         read and write the slave as this role
  --to-external-id <id>       external id the slave's role requires (needs --to-role-arn)
  --to-profile <name>         read and write the slave with this profile (not with --to-role-arn)`;

const COMMON = `Tables:
  <master> <slave>            region/table or table ARN of the master and of the slave
  --from-region, --from-table master, instead of the first positional argument
  --to-region, --to-table     slave, instead of the second positional argument
  --endpoint-url <url>        DynamoDB and DynamoDB Streams endpoint for both tables (default: the SDK's;
                              AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_DYNAMODB_STREAMS)

${CREDENTIALS}
Work split and speed:
  --segments <n>              parallel scan segments (default: 4 × CPUs, from 8 to 64)
  --segment <i|i-j|i,j,…>     work only on these segments (needs --total-segments), to split a run
                              across processes or machines
  --total-segments <n>        number of segments the table is split into (same value in every process)
  --concurrency <n>           DynamoDB calls in flight at once (default: %CONCURRENCY%)
  --page-size <n>             items per Scan page (default: 1000)
  --max-items-per-second <n>  cap on items %ITEMS% per second
  --max-wcu <n>               cap on write capacity units per second (estimated from item sizes)
  --max-rcu <n>               cap on read capacity units per second (as DynamoDB reports them)

Partial replica (the same hooks the replicator is given, so the tools see the replica it keeps):
  --hooks <module>            JavaScript (CommonJS) module exporting filter(item) and/or transform(item), or an
                              object with them as default; path relative to the working directory. filter
                              returning false: the slave must not hold the item; transform: the item the slave
                              holds (key attributes unchanged). The tools call them with no stream record.
  --exclude-attributes <a,b>  top-level attributes the slave does not hold, dropped after --hooks; a key
                              attribute is refused

Output:
  --progress <auto|bar|lines|none>  progress on stderr: a bar on a terminal, lines otherwise (default: auto)
  --quiet                     same as --progress none
  --json                      print the summary as JSON on stdout
  -h, --help                  this text
`;

/** `dynamo-replicator backfill --help`. */
export const BACKFILL_HELP = `Usage: dynamo-replicator backfill <master> <slave> [options]

Copies every item of the master into the slave. Safe to run while the replicator is live: a version the
replicator wrote is never left replaced by an older copy, and no copy brings back an item the master deleted. The
order is stream + replicator first, then backfill, then verify. Resumes from a state file after an interruption.

${COMMON.replace('%CONCURRENCY%', '16 watched, checked and batch, 64 conditional').replace('%ITEMS%', 'written')}
Backfill:
  --write-mode <watched|checked|conditional|batch>
                              watched (default): follows the master's stream while it copies. Items the stream
                              does not show changing are copied with BatchWriteItem (no reads: as fast as
                              batch); items it shows changing are written only where the slave lacks them, or
                              re-checked with consistent reads and put right by compare-and-set. Needs the
                              master's stream (the replicator's trigger) and dynamodb:DescribeStream,
                              GetShardIterator and GetRecords on it; it is one more reader of the stream.
                              checked: consistent BatchGetItem on the slave, BatchWriteItem of what it lacks,
                              then a consistent read of those items on the master and a compare-and-set of any
                              the master changed or deleted meanwhile; safe next to a live replicator (a copy can
                              replace a newer version for a moment, see docs/operations.md); reads no stream.
                              conditional: PutItem with attribute_not_exists per item; never replaces anything,
                              reads no stream, but one request per item (slowest).
                              batch: unconditional BatchWriteItem, ONLY for a slave that no replicator writes
                              to yet (see "Fast initial load" in docs/operations.md)
  --state-file <path>         where progress is kept (default: ./backfill-<master>-to-<slave>[-seg…].state.json;
                              removed after a complete run, not written by a run that made no progress)
  --restart                   ignore an existing state file and start from the beginning
  --from-export s3://BUCKET/PREFIX/AWSDynamoDB/EXPORT_ID
                              load this export of the master (full, DYNAMODB_JSON, at most 23 hours old) instead
                              of scanning it: no read capacity on the master. Each data file's MD5 is checked
                              against the manifest before it is loaded; progress is kept by data file. In the
                              default mode every change the stream holds since the export is re-checked, so it
                              is as safe next to the replicator as a scan. Reads S3 with the master side's
                              credentials (s3:GetObject); AWS_ENDPOINT_URL_S3 sets another S3 endpoint.

With --hooks, items the filter keeps out are not copied (counted as filtered out) and every other item is
copied as transform returns it; an item a hook fails on counts as failed with the hook's message. Copies an
earlier run made of items now filtered out stay: verify --repair with the same hooks deletes them.

Exit status: 0 every item written, already present or filtered out; 1 some items failed or the run was interrupted
(rerun the same command to resume); 2 usage error, missing table, permission or key schema problem.

Examples:
  dynamo-replicator backfill us-east-1/Orders eu-west-1/OrdersReplica
  dynamo-replicator backfill --from-region us-east-1 --from-table Orders --to-region eu-west-1 --to-table OrdersReplica --max-wcu 500
  # four machines, each taking a quarter of the table:
  dynamo-replicator backfill us-east-1/Orders eu-west-1/OrdersReplica --total-segments 32 --segment 0-7
  dynamo-replicator backfill us-east-1/Orders eu-west-1/OrdersReplica --total-segments 32 --segment 8-15
  # a partial replica: only what ./replica-hooks.js keeps, without the ssn attribute
  dynamo-replicator backfill us-east-1/Orders eu-west-1/OrdersReplica --hooks ./replica-hooks.js --exclude-attributes ssn
  # load an export of the master instead of scanning it:
  dynamo-replicator backfill us-east-1/Orders eu-west-1/OrdersReplica --from-export s3://my-exports/orders/AWSDynamoDB/01700000000000-abcdef12
  # the slave in another account, written as a role there:
  dynamo-replicator backfill us-east-1/Orders eu-west-1/OrdersReplica --to-role-arn arn:aws:iam::210987654321:role/replica-operator
`;

/** `dynamo-replicator verify --help`. */
export const VERIFY_HELP = `Usage: dynamo-replicator verify <master> <slave> [options]

Compares master and slave in both directions: items missing on the slave, extra on the slave, and different.
Each difference is read again with consistent reads on both sides (after --recheck-delay) before it counts, so
changes still travelling through the stream are not reported. Values compare as DynamoDB means them: numbers as
numbers ("1.50" = "1.5"), sets without order, binary by bytes, maps and lists deeply.

${COMMON.replace('%CONCURRENCY%', '16').replace('%ITEMS%', 'compared')}
Verify:
  --repair                    make the slave match the master for each confirmed difference (put the master's
                              item, delete extras), each as a compare-and-set that yields to stream writes
  --sample <n>                keys listed per kind of difference (default: 10)
  --recheck-delay <ms>        wait before re-reading a difference (default: 1000)

With --hooks/--exclude-attributes the slave is compared with the master's items as the hooks shape them: a slave
item whose master item the filter keeps out counts as extra (--repair deletes it), and an item a hook fails on is
reported with the hook's message (exit 1).

Exit status: 0 equal (with --repair: every difference repaired); 1 different (with --repair: some could not be
repaired) or interrupted; 2 usage error, missing table, permission or key schema problem.

Examples:
  dynamo-replicator verify us-east-1/Orders eu-west-1/OrdersReplica
  dynamo-replicator verify us-east-1/Orders eu-west-1/OrdersReplica --json --sample 100 > diff.json
  dynamo-replicator verify us-east-1/Orders eu-west-1/OrdersReplica --repair --max-rcu 200 --max-wcu 100
  dynamo-replicator verify us-east-1/Orders eu-west-1/OrdersReplica --hooks ./replica-hooks.js --exclude-attributes ssn
  dynamo-replicator verify us-east-1/Orders eu-west-1/OrdersReplica --from-profile prod --to-profile replica
`;

/** `dynamo-replicator create-slave --help`. */
export const CREATE_SLAVE_HELP = `Usage: dynamo-replicator create-slave <master> <slave> [options]

Creates the slave table from the master's definition: key schema and the attribute definitions its keys and
indexes use, every global secondary index (keys, projection, provisioned capacity or on-demand limits) and local
secondary index, billing mode and capacity (or on-demand limits), table class, deletion protection and encryption;
then, once the table and its indexes are ACTIVE, TTL on the master's attribute, point-in-time recovery where the
master has it, and the master's tags. The slave gets no stream unless --stream asks for one.
If the slave already exists it is compared with the master (key schema, indexes and projections, TTL attribute)
and nothing is changed: exit 0 when it matches, 2 listing each difference.

Tables:
  <master> <slave>            region/table of the master (read) and the slave (created); a slave ARN
                              only of the account its credentials are in (CreateTable is not cross-account)
  --from-region, --from-table master, instead of the first positional argument
  --to-region, --to-table     slave, instead of the second positional argument
  --endpoint-url <url>        DynamoDB endpoint for both tables (default: the SDK's; AWS_ENDPOINT_URL_DYNAMODB)

${CREDENTIALS}

The slave's definition:
  --billing-mode <PAY_PER_REQUEST|PROVISIONED>  billing of the slave (default: the master's)
  --read-capacity <n>         read capacity units of the table and every global secondary index (provisioned)
  --write-capacity <n>        write capacity units of the table and every global secondary index (provisioned);
                              both are needed for --billing-mode PROVISIONED when the master is on demand
  --kms-key <arn|alias>       KMS key of the slave. A master with an AWS-owned key gives a slave with one. A KMS
                              key belongs to one region and account: the master's key is reused only for a slave
                              in the same region and account; elsewhere an AWS-managed master key (KMS
                              DescribeKey says) gives the slave's own AWS-managed key, a customer-managed one
                              needs a key there (alias/aws/dynamodb for the AWS-managed key)
  --stream <NEW_IMAGE|OLD_IMAGE|NEW_AND_OLD_IMAGES|KEYS_ONLY>  enable a stream on the slave (default: none)
  --no-tags                   do not copy the master's tags (and do not read them)

With data (the slave created already holding the master's items, by DynamoDB's export and import):
  --with-data                 export the master (ExportTableToPointInTime: full, DYNAMODB_JSON; needs point-in-time
                              recovery and the master's stream) and create the slave by ImportTable from it, then
                              set TTL, point-in-time recovery, tags, protection, class and stream; prints the
                              deadline for attaching the function with TRIM_HORIZON. Not for a master with LSIs.
                              Resumes the export and import of a state file in the working directory.
  --export-bucket s3://BUCKET/PREFIX   where the export is written (needed with --with-data)
  --export-bucket-owner <account>      the bucket's account, when it is not the master side's

Output:
  --dry-run                   read the master and print the requests it would send; create nothing
  --progress <auto|bar|lines|none>  the wait for ACTIVE is shown on a terminal only (default: auto)
  --quiet                     same as --progress none
  --json                      print the summary (and the requests) as JSON on stdout
  -h, --help                  this text

Exit status: 0 created, dry run, or the slave already matches; 2 the slave exists and differs (each difference
listed, nothing changed), usage error, missing master, missing permission (the IAM action is named).

Examples:
  dynamo-replicator create-slave us-east-1/Orders eu-west-1/OrdersReplica --dry-run
  dynamo-replicator create-slave us-east-1/Orders eu-west-1/OrdersReplica
  dynamo-replicator create-slave us-east-1/Orders eu-west-1/OrdersReplica --billing-mode PROVISIONED --read-capacity 50 --write-capacity 200
  dynamo-replicator create-slave us-east-1/Orders eu-west-1/OrdersReplica --kms-key alias/orders-replica
  dynamo-replicator create-slave us-east-1/Orders eu-west-1/OrdersReplica --with-data --export-bucket s3://my-exports/orders --dry-run
  # the slave in another account, created as a role there (with a key of that account):
  dynamo-replicator create-slave us-east-1/Orders eu-west-1/OrdersReplica --to-role-arn arn:aws:iam::444455556666:role/OrdersReplicaOperator --kms-key alias/aws/dynamodb
`;

/** `dynamo-replicator zip --help`. */
export const ZIP_HELP = `dynamo-replicator zip — the function's zip, ready to upload in the Lambda console

Usage:
  npx dynamo-replicator zip [--out FILE] [--force] [--json]

Writes the zip this package ships (index.js at its root; the same bytes as the build's
dist/dynamo-replicator.zip) and prints its size, its SHA-256 and the settings the console asks for: the
runtime, the handler (index.handler) and the environment variables.

Options:
  --out <file>                where to write it (default: ./dynamo-replicator.zip)
  --force                     replace the file if it exists (without it, an existing file is an error, exit 2)
  --json                      print the summary as JSON

Examples:
  npx dynamo-replicator zip
  npx dynamo-replicator zip --out build/replicator.zip --force
`;
