import * as v from 'valibot';
import type { RateLimits } from './accounts/login-rate-limiter';
import { PASSWORD_ITERATIONS } from './accounts/password-hash';
import { DECLARATION_LIMITS, type DeclarationLimits } from './declarations/declaration-limits';
import { CLASH_LOOKUP_LIMITS, type ClashLookupLimits } from './registry/clash-budget';

// Server configuration: environment variables, validated once at start so that a typo fails loudly
// instead of running with a surprising default.

export type StoreKind = 'leveldb' | 'memory';
/** Where the embedded store runs: a process of its own, or the server's (embedded-store.ts). */
export type StoreProcess = 'child' | 'inline';

export interface Config {
	port: number;
	host: string;
	dataDir: string;
	/** Apache CouchDB 3 in production; absent: the embedded store under dataDir. */
	couchdbUrl: string | undefined;
	couchdbUser: string | undefined;
	couchdbPassword: string | undefined;
	store: StoreKind;
	/** Default: 'child' for LevelDB, 'inline' for the memory store (tests). */
	storeProcess: StoreProcess;
	buildDir: string;
	/** 'auto': Secure when the request arrived over https (directly or per X-Forwarded-Proto). */
	cookieSecure: 'auto' | boolean;
	log: boolean;
	/** Express "trust proxy": which hops may set X-Forwarded-For (used for per-IP rate limits). */
	trustProxy: boolean | number | string;
	/**
	 * Prefix of the server's own databases (directory, accounts). Empty in production; the test
	 * harness uses it to run several isolated servers against one shared CouchDB.
	 */
	dbPrefix: string;
	/** Largest request body the /couch proxy accepts, after decompression. */
	maxBodyBytes: number;
	/**
	 * Documents per `_bulk_docs` / `_bulk_get` / `_revs_diff` request through /couch. Our sync
	 * engine sends at most 1,000 (500 per push page, up to 1,000 per pull page) and stock PouchDB
	 * replication 100; a batch beyond this keeps the store busy for everyone else.
	 */
	maxDocsPerBatch: number;
	/** Longest time to receive a whole request (headers and body): Node's `server.requestTimeout`. */
	requestTimeoutMs: number;
	/**
	 * A request body slower than this on average, once `slowBodyGraceMs` have passed, is cut. A 3G
	 * uplink at its worst still sends tens of kilobytes a second.
	 */
	minBodyBytesPerSecond: number;
	slowBodyGraceMs: number;
	/**
	 * Sign-in attempts per login and per address, and password changes per account and per device
	 * (`perLogin`); reserved before the password is checked, released when it is right; repeated
	 * lockouts double up to `maxBlockMs` (server/accounts/login-rate-limiter.ts).
	 */
	loginLimits: RateLimits;
	/**
	 * Citizen-id lookups that may name the unit holding a number — GET /api/registry/check and the
	 * refusals of the /couch guard together — per account, per unit (`perUnit`) and per address: it
	 * must not become a lookup service.
	 */
	registryCheckLimits: RateLimits;
	/** POST /api/registry/clashes: a member import's batch look-up (registry/clash-budget.ts). */
	registryClashLimits: ClashLookupLimits;
	/**
	 * The public declaration API's brakes per address and per join link (docs/decisions/
	 * 0019-self-declarations.md, "Limits"); tests lower them.
	 */
	declarationLimits: DeclarationLimits;
	/**
	 * Mail attachments uploaded per account (`perLogin`) per `windowMs` (POST /api/attachments,
	 * docs/decisions/0021-mail-between-units.md): a brake on filling the file store.
	 */
	attachmentUploadLimits: RateLimits;
	/** Web Push of mail notices (docs/decisions/0022-web-push.md). */
	push: PushConfig;
	/** The reorganisation workers in this process (docs/decisions/0007-reorganisation-workers.md). */
	workers: WorkerConfig;
	/**
	 * PBKDF2 iterations for new password hashes. Not an environment variable: only the test harness
	 * lowers it (each hash records its own count, so verifying is unaffected).
	 */
	passwordIterations: number;
}

export interface PushConfig {
	/**
	 * Who runs this server, for the push services (the VAPID `sub` claim): `mailto:` or `https:`.
	 * They write there before blocking a sender that misbehaves.
	 */
	contact: string;
	/**
	 * Tests only: VAPID keys given instead of the pair generated once and kept in the accounts
	 * database (server/push/vapid-keys.ts).
	 */
	vapidKeys?: { publicKey: string; privateKey: string };
	/**
	 * Tests only: accept `http://127.0.0.1` / `http://localhost` endpoints, a push service the test
	 * runs itself. Production accepts https endpoints only.
	 */
	allowLocalHttpEndpoints?: boolean;
	/** Notices being sent at once by this process (each one a request to a push service). */
	concurrency?: number;
	/**
	 * The notice before a meeting (server/push/meeting-notices.ts): how long before it starts
	 * (default an hour), how often due notices are looked for (default 30 s), and, for tests, the
	 * clock it reads.
	 */
	meetingNotice?: { leadMs?: number; pollMs?: number; now?: () => Date };
}

export interface WorkerConfig {
	enabled: boolean;
	/** How often open jobs are looked for (a new job also nudges this process at once). */
	pollMs: number;
	/** How long a job's lease lasts unless renewed: how long a crashed process blocks its job. */
	leaseMs: number;
	/** Failed attempts before a job is marked failed (it resumes when asked for again). */
	maxAttempts: number;
	/** Documents per copied batch (one checkpoint per batch). */
	batchSize: number;
	/** Forwarding polls a database this often right after a change… */
	forwardMinMs: number;
	/** …and backs off to this while it stays quiet. */
	forwardMaxMs: number;
	/**
	 * How often the unit watcher looks at parked transfers (in case a wake-up was missed) and retries
	 * failed ones; absent: 10 minutes.
	 */
	sweepMs?: number;
	/** Transfers carried out at once by this process. */
	transferConcurrency?: number;
	/**
	 * The figures worker (server/workers/figures-worker.ts, docs/figures.md). Absent: not run — the
	 * test servers leave it out unless a test asks for it (its documents would change what other
	 * tests count in a unit database); loadConfig always sets it.
	 */
	figures?: FiguresWorkerConfig;
}

export interface FiguresWorkerConfig {
	enabled: boolean;
	/** How often `doanvu_dbupdates` is looked at when nothing in this process nudged the worker. */
	pollMs: number;
	/** The least time between two cycles once something changed: a burst of writes adds up to one. */
	minIntervalMs: number;
	/** Tests only: the worker's clock (Vietnam's today is taken from it). */
	now?: () => Date;
}

/**
 * Citizen-id lookups: 30 a minute per account, 60 per unit (two secretaries at the counter), 600 per
 * address (many phones share one carrier address); repeated lockouts double up to an hour.
 */
export const REGISTRY_LOOKUP_LIMITS: RateLimits = {
	perLogin: 30,
	perUnit: 60,
	perIp: 600,
	windowMs: 60_000,
	maxBlockMs: 60 * 60_000
};

/** Attachments: 60 uploads an hour per account (a directive with ten files, six times over). */
export const ATTACHMENT_UPLOAD_LIMITS: RateLimits = {
	perLogin: 60,
	perIp: 0,
	windowMs: 60 * 60_000,
	maxBlockMs: 6 * 60 * 60_000
};

const onOff = (name: string, fallback: string) =>
	v.pipe(
		v.optional(v.string(), fallback),
		v.trim(),
		v.toLowerCase(),
		v.picklist(['on', 'off', 'true', 'false', '1', '0', 'yes', 'no'], `${name}: dùng on hoặc off.`),
		v.transform((value) => ['on', 'true', '1', 'yes'].includes(value))
	);

const optionalText = v.pipe(
	v.optional(v.string()),
	v.transform((value) => (value && value.trim() !== '' ? value.trim() : undefined))
);

const EnvSchema = v.object({
	PORT: v.pipe(
		v.optional(v.string(), '3000'),
		v.regex(/^\d{1,5}$/, 'PORT phải là một số cổng (0–65535).'),
		v.transform(Number),
		v.maxValue(65535, 'PORT phải là một số cổng (0–65535).')
	),
	HOST: v.pipe(
		v.optional(v.string(), '0.0.0.0'),
		v.trim(),
		v.nonEmpty('HOST không được để trống.')
	),
	DATA_DIR: v.pipe(v.optional(v.string(), './data'), v.trim(), v.nonEmpty()),
	COUCHDB_URL: v.pipe(
		optionalText,
		v.check(
			(value) => value === undefined || URL.canParse(value),
			'COUCHDB_URL phải là một địa chỉ http(s) đầy đủ.'
		)
	),
	COUCHDB_USER: optionalText,
	COUCHDB_PASSWORD: optionalText,
	DOANVU_STORE: v.pipe(
		v.optional(v.string(), 'leveldb'),
		v.trim(),
		v.picklist(['leveldb', 'memory'], 'DOANVU_STORE phải là leveldb hoặc memory.')
	),
	DOANVU_STORE_PROCESS: v.optional(
		v.pipe(
			v.string(),
			v.trim(),
			v.picklist(['child', 'inline'], 'DOANVU_STORE_PROCESS phải là child hoặc inline.')
		)
	),
	DOANVU_DB_PREFIX: v.pipe(
		v.optional(v.string(), ''),
		v.regex(/^([a-z][a-z0-9_]{0,30})?$/, 'DOANVU_DB_PREFIX chỉ gồm chữ thường, số và dấu _.')
	),
	BUILD_DIR: v.pipe(v.optional(v.string(), './build'), v.trim(), v.nonEmpty()),
	COOKIE_SECURE: v.pipe(
		v.optional(v.string(), 'auto'),
		v.trim(),
		v.toLowerCase(),
		v.picklist(
			['auto', 'true', 'false', 'on', 'off'],
			'COOKIE_SECURE phải là auto, true hoặc false.'
		),
		v.transform((value): 'auto' | boolean =>
			value === 'auto' ? 'auto' : value === 'true' || value === 'on'
		)
	),
	LOG: onOff('LOG', 'on'),
	FIGURES_WORKER: onOff('FIGURES_WORKER', 'on'),
	MAX_DOCS_PER_BATCH: v.pipe(
		v.optional(v.string(), '2000'),
		v.regex(/^\d{1,7}$/, 'MAX_DOCS_PER_BATCH phải là một số nguyên dương.'),
		v.transform(Number),
		v.minValue(
			1000,
			'MAX_DOCS_PER_BATCH phải từ 1000 trở lên (ứng dụng gửi tới 1000 tài liệu một lần).'
		)
	),
	REQUEST_TIMEOUT_SECONDS: v.pipe(
		v.optional(v.string(), '600'),
		v.regex(/^\d{1,6}$/, 'REQUEST_TIMEOUT_SECONDS phải là một số giây.'),
		v.transform(Number),
		v.minValue(30, 'REQUEST_TIMEOUT_SECONDS phải từ 30 trở lên.')
	),
	MIN_BODY_BYTES_PER_SECOND: v.pipe(
		v.optional(v.string(), '2048'),
		v.regex(/^\d{1,9}$/, 'MIN_BODY_BYTES_PER_SECOND phải là một số byte mỗi giây.'),
		v.transform(Number)
	),
	// Several server processes share the jobs (docs/decisions/0007-reorganisation-workers.md): how
	// long a killed process's job stays blocked before another process takes it over.
	WORKER_LEASE_SECONDS: v.pipe(
		v.optional(v.string(), '30'),
		v.regex(/^\d{1,4}$/, 'WORKER_LEASE_SECONDS phải là một số giây.'),
		v.transform(Number),
		v.minValue(1, 'WORKER_LEASE_SECONDS phải từ 1 trở lên.')
	),
	WORKER_POLL_MS: v.pipe(
		v.optional(v.string(), '2000'),
		v.regex(/^\d{1,7}$/, 'WORKER_POLL_MS phải là một số mili giây.'),
		v.transform(Number),
		v.minValue(20, 'WORKER_POLL_MS phải từ 20 trở lên.')
	),
	WORKER_BATCH_SIZE: v.pipe(
		v.optional(v.string(), '200'),
		v.regex(/^\d{1,5}$/, 'WORKER_BATCH_SIZE phải là một số tài liệu.'),
		v.transform(Number),
		v.minValue(1, 'WORKER_BATCH_SIZE phải từ 1 trở lên.')
	),
	PUSH_CONTACT: v.pipe(
		v.optional(v.string(), 'mailto:quantri@doanvu.invalid'),
		v.trim(),
		v.regex(/^(mailto:\S+@\S+|https:\/\/\S+)$/, 'PUSH_CONTACT phải là mailto:… hoặc https://….')
	),
	TRUST_PROXY: v.pipe(
		v.optional(v.string(), 'loopback'),
		v.trim(),
		v.transform((value): boolean | number | string => {
			if (['true', 'on'].includes(value)) return true;
			if (['false', 'off', ''].includes(value)) return false;
			if (/^\d+$/.test(value)) return Number(value);
			return value;
		})
	)
});

export class ConfigError extends Error {}

export function loadConfig(
	options: { env?: Record<string, string | undefined>; overrides?: Partial<Config> } = {}
): Config {
	const parsed = v.safeParse(EnvSchema, options.env ?? process.env);
	if (!parsed.success) {
		const lines = parsed.issues.map((issue) => {
			const key = issue.path?.map((item) => String(item.key)).join('.') ?? '';
			return `${key}: ${issue.message}`;
		});
		throw new ConfigError(`Cấu hình không hợp lệ:\n${lines.join('\n')}`);
	}
	const env = parsed.output;
	const config: Config = {
		port: env.PORT,
		host: env.HOST,
		dataDir: env.DATA_DIR,
		couchdbUrl: env.COUCHDB_URL,
		couchdbUser: env.COUCHDB_USER,
		couchdbPassword: env.COUCHDB_PASSWORD,
		store: env.DOANVU_STORE,
		// Settled below, once the overrides are in: a test server asks for `store: 'memory'` there.
		storeProcess: env.DOANVU_STORE_PROCESS ?? 'child',
		buildDir: env.BUILD_DIR,
		cookieSecure: env.COOKIE_SECURE,
		log: env.LOG,
		trustProxy: env.TRUST_PROXY,
		dbPrefix: env.DOANVU_DB_PREFIX,
		maxBodyBytes: 32 * 1024 * 1024,
		maxDocsPerBatch: env.MAX_DOCS_PER_BATCH,
		requestTimeoutMs: env.REQUEST_TIMEOUT_SECONDS * 1000,
		minBodyBytesPerSecond: env.MIN_BODY_BYTES_PER_SECOND,
		slowBodyGraceMs: 15_000,
		// Per IP the limit is higher than per login: Vietnamese mobile carriers put many phones behind
		// one address (carrier-grade NAT), and a commune office shares one line.
		// A login locked out again within a quiet window waits twice as long, up to a day.
		loginLimits: { perLogin: 10, perIp: 100, windowMs: 15 * 60_000, maxBlockMs: 24 * 60 * 60_000 },
		registryCheckLimits: REGISTRY_LOOKUP_LIMITS,
		registryClashLimits: CLASH_LOOKUP_LIMITS,
		declarationLimits: DECLARATION_LIMITS,
		attachmentUploadLimits: ATTACHMENT_UPLOAD_LIMITS,
		passwordIterations: PASSWORD_ITERATIONS,
		push: { contact: env.PUSH_CONTACT },
		workers: {
			enabled: true,
			pollMs: env.WORKER_POLL_MS,
			leaseMs: env.WORKER_LEASE_SECONDS * 1000,
			maxAttempts: 8,
			batchSize: env.WORKER_BATCH_SIZE,
			forwardMinMs: 2000,
			forwardMaxMs: 10 * 60_000,
			sweepMs: 10 * 60_000,
			transferConcurrency: 4,
			// Figures are for the morning screen: a few seconds late is fine, a busy tree adds up.
			figures: { enabled: env.FIGURES_WORKER, pollMs: 10_000, minIntervalMs: 2000 }
		}
	};
	const merged = { ...config, ...stripUndefined(options.overrides ?? {}) };
	if (!env.DOANVU_STORE_PROCESS && !options.overrides?.storeProcess) {
		merged.storeProcess = merged.store === 'memory' ? 'inline' : 'child';
	}
	return merged;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
	return Object.fromEntries(
		Object.entries(value).filter(([, item]) => item !== undefined)
	) as Partial<T>;
}
