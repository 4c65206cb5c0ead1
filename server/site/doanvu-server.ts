import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import compression from 'compression';
import express, { type NextFunction, type Request, type Response } from 'express';
import { AccountAdmin } from '../accounts/account-admin';
import { AccountService } from '../accounts/account-service';
import { bodyParserError, createApiRouter } from '../accounts/api-router';
import { AppError, INTERNAL_ERROR, sendError, UNAVAILABLE_ERROR } from '../http/app-error';
import { AuditService } from '../audit/audit-service';
import { loadConfig, type Config } from '../config';
import { CouchClient, parseCouchUrl } from '../couch/couch-client';
import { CouchSessionCache } from '../couch/session-cache';
import { dbNames } from '../couch/db-names';
import { DbUpdates } from '../couch/db-updates';
import { DeviceService } from '../accounts/device-service';
import { DirectoryIndex } from '../org/directory-index';
import { startEmbeddedStore, type EmbeddedStore } from '../store/embedded-store';
import { JobService } from '../workers/job-service';
import { createLogger, describeError, type Logger } from '../http/logger';
import { LoginRateLimiter } from '../accounts/login-rate-limiter';
import { ProvisionService, type UnitRecord } from '../couch/provision-service';
import { createOrgRouter } from '../org/org-router';
import { isLiveFeed } from '../proxy/live-feed';
import { createProxyRouter } from '../proxy/proxy-router';
import { CouchUpstream } from '../proxy/upstream';
import { WriteGuard } from '../proxy/write-guard';
import { createRegistryRouter } from '../registry/registry-router';
import { crossSiteGuard, slowBodyGuard } from '../http/request-guards';
import { securityHeaders } from '../http/security-headers';
import { CitizenRegistry } from '../registry/registry-service';
import { SecurityCache } from '../couch/security-cache';
import { SessionController } from '../accounts/session-controller';
import { createStaticRouter } from '../http/static-router';
import { UnitService } from '../org/unit-service';
import { DocCopier } from '../workers/doc-copier';
import { Forwarder } from '../workers/forwarder';
import { JobRunner, type WorkerHooks } from '../workers/job-runner';
import { createMergeWorker } from '../workers/merge-worker';
import { createSplitWorker, type SplitDeps } from '../workers/split-worker';
import { createTransferWorker } from '../workers/transfer-worker';
import { UnitWatcher } from '../workers/unit-watcher';

// The whole server in one call, so that main.ts and the tests start exactly the same thing.

export interface DoanvuServer {
	url: string;
	port: number;
	config: Config;
	couch: CouchClient;
	accounts: AccountService;
	provision: ProvisionService;
	devices: DeviceService;
	audit: AuditService;
	jobs: JobService;
	units: UnitService;
	/** The national citizen-id registry (registry-service.ts). */
	registry: CitizenRegistry;
	/**
	 * The workers running in this process: merges and splits (`runner`, `forwarder`), transfers
	 * between units (`transfers`) and the watcher of the unit databases (`watcher`).
	 */
	workers: { runner: JobRunner; forwarder: Forwarder; transfers: JobRunner; watcher: UnitWatcher };
	/**
	 * The embedded store this process started, if any: another server (a test's second process) can
	 * reach the same data through it, as several servers share one Apache CouchDB in production.
	 */
	embeddedStore: { url: string; user: string; password: string } | undefined;
	close(): Promise<void>;
}

export interface ServerOptions extends Partial<Config> {
	/** Tests only: stop the job runner as if the process died after a given step or batch. */
	workerHooks?: WorkerHooks;
}

export async function createDoanvuServer(options: ServerOptions = {}): Promise<DoanvuServer> {
	const { workerHooks, ...overrides } = options;
	const config = loadConfig({ overrides });
	const logger = createLogger({ enabled: config.log });
	installProcessGuards(logger);

	let embedded: EmbeddedStore | undefined;
	let couch: CouchClient;
	if (config.couchdbUrl) {
		couch = new CouchClient(
			parseCouchUrl({
				url: config.couchdbUrl,
				user: config.couchdbUser,
				password: config.couchdbPassword
			})
		);
		await waitForAdmin(couch);
	} else {
		embedded = await startEmbeddedStore({
			dataDir: config.dataDir,
			store: config.store,
			process: config.storeProcess
		});
		couch = new CouchClient(
			parseCouchUrl({
				url: embedded.url,
				user: embedded.admin.user,
				password: embedded.admin.password
			})
		);
	}

	try {
		const names = dbNames(config.dbPrefix);
		const dbUpdates = new DbUpdates({ couch, db: names.dbUpdates });
		const touch = (db: string) => dbUpdates.touch(db);
		const provision = new ProvisionService({ couch, names, onWrite: touch });
		await provision.ensureSystemDatabases();
		const accounts = new AccountService({
			couch,
			names,
			getUnit: (id) => provision.getUnit(id),
			passwordIterations: config.passwordIterations
		});
		await accounts.ensureIndexes();
		const devices = new DeviceService({ couch, names, accounts });
		await devices.ensureIndexes();
		const audit = new AuditService({ couch, names });
		const jobs = new JobService({ couch, names });
		await jobs.ensureIndexes();
		const directory = new DirectoryIndex({ couch, db: names.directory });
		const security = new SecurityCache({ couch });
		const couchSessions = new CouchSessionCache({ couch });
		// Units as the directory says now (refreshed at most once a second), for the registry.
		const unitById = async (id: string): Promise<UnitRecord | undefined> => {
			await directory.fresh();
			return directory.get(id) ?? (await provision.getUnit(id));
		};
		const registry = new CitizenRegistry({
			couch,
			db: names.registry,
			units: unitById,
			lookupLimits: config.registryCheckLimits
		});
		await registry.ensureIndexes();

		// Workers: in this process, coordinated with any other only through CouchDB documents.
		const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
		// The workers report directory changes here; the forwarder, made below, listens too.
		const listeners = { refreshForwarding: () => {} };
		const onDirectoryChange = () => {
			directory.refresh().catch(() => {});
			listeners.refreshForwarding();
		};
		const reorg: SplitDeps = {
			couch,
			provision,
			accounts,
			devices,
			audit,
			copier: new DocCopier({ couch, checkpointDb: names.directory, onWrite: touch }),
			security,
			registry,
			batchSize: config.workers.batchSize,
			onDirectoryChange
		};
		const runner = new JobRunner({
			jobs,
			workers: { merge: createMergeWorker(reorg), split: createSplitWorker(reorg) },
			owner,
			pollMs: config.workers.pollMs,
			leaseMs: config.workers.leaseMs,
			maxAttempts: config.workers.maxAttempts,
			hooks: workerHooks,
			logger
		});
		const forwarder = new Forwarder({
			couch,
			jobs,
			deps: reorg,
			updates: dbUpdates,
			owner,
			leaseMs: config.workers.leaseMs,
			minMs: config.workers.forwardMinMs,
			maxMs: config.workers.forwardMaxMs,
			logger
		});
		listeners.refreshForwarding = () => forwarder.refreshList();
		const transferWorker = createTransferWorker({
			couch,
			provision,
			registry,
			audit,
			copier: reorg.copier,
			touch
		});
		const transfers = new JobRunner({
			jobs,
			workers: { transfer: transferWorker },
			owner,
			// The watcher nudges it when it creates or wakes a job: polling is only the fallback.
			pollMs: config.workers.pollMs * 4,
			leaseMs: config.workers.leaseMs,
			maxAttempts: config.workers.maxAttempts,
			concurrency: config.workers.transferConcurrency ?? 4,
			hooks: workerHooks,
			logger
		});
		const watcher = new UnitWatcher({
			couch,
			jobs,
			provision,
			registry,
			audit,
			transfers: transferWorker,
			updates: dbUpdates,
			owner,
			leaseMs: config.workers.leaseMs,
			// Its own process's writes nudge it at once; the poll is for other processes' writes.
			pollMs: Math.max(config.workers.pollMs, 100),
			sweepMs: config.workers.sweepMs ?? 10 * 60_000,
			batchSize: config.workers.batchSize,
			onJob: () => transfers.nudge(),
			logger
		});
		const units = new UnitService({
			couch,
			provision,
			accounts,
			devices,
			jobs,
			audit,
			directory,
			security,
			couchSessions,
			onJobCreated: () => runner.nudge()
		});
		const accountAdmin = new AccountAdmin({ accounts, devices, provision, audit });

		const sessions = new SessionController({
			accounts,
			devices,
			provision,
			limiter: new LoginRateLimiter(config.loginLimits),
			cookieSecure: config.cookieSecure
		});

		// One way on to CouchDB for every device request, checked writes included.
		const upstream = new CouchUpstream({ couch, couchSessions });
		const app = express();
		app.disable('x-powered-by');
		app.set('trust proxy', config.trustProxy);
		app.use(requestLog(logger));
		app.use(securityHeaders());
		// Before any router reads a body (docs/decisions/0011-security-headers-and-request-limits.md).
		app.use(
			['/api', '/couch'],
			slowBodyGuard({
				minBytesPerSecond: config.minBodyBytesPerSecond,
				graceMs: config.slowBodyGraceMs
			}),
			crossSiteGuard()
		);
		app.use(
			compression({
				// Live feeds are skipped: a compressor would hold heartbeats and single changes back.
				filter: (req, res) => !isLiveFeed(req as Request) && compression.filter(req, res)
			})
		);
		app.use(
			'/api',
			createOrgRouter({
				sessions,
				units,
				accountAdmin,
				forwardNow: (job) => forwarder.forwardNow(job)
			})
		);
		app.use(
			'/api',
			createRegistryRouter({
				sessions,
				registry,
				provision,
				audit,
				rebuild: () => watcher.rebuild()
			})
		);
		app.use(
			'/api',
			createApiRouter({ couch, accounts, provision, sessions, audit, onDirectoryChange })
		);
		app.use(
			'/couch',
			createProxyRouter({
				couch,
				sessions,
				security,
				upstream,
				maxBodyBytes: config.maxBodyBytes,
				maxDocsPerBatch: config.maxDocsPerBatch,
				onWrite: (db) => {
					dbUpdates.touch(db);
					forwarder.nudge(db);
					watcher.nudge(db);
				},
				bodyGuard: new WriteGuard({ couch, upstream, registry, units: unitById })
			})
		);
		app.use(createStaticRouter({ buildDir: config.buildDir }));
		app.use((_req: Request, res: Response) => {
			sendError(res, { status: 404, error: 'not_found', reason: 'Không tìm thấy địa chỉ này.' });
		});
		app.use(errorHandler(logger));

		const server = app.listen(config.port, config.host);
		await new Promise<void>((resolve, reject) => {
			server.once('listening', resolve);
			server.once('error', reject);
		});
		server.on('error', (error) => logger.error('server_error', { error: describeError(error) }));
		// A 32 MB upload over a 675 kbps uplink takes minutes; bodies slower than a 3G uplink are
		// cut much earlier by slowBodyGuard.
		server.requestTimeout = config.requestTimeoutMs;
		// Replication is many small sequential requests: keep connections warm between them, longer
		// than the usual load balancer idle timeout (60 s) so the balancer closes first.
		server.keepAliveTimeout = 65_000;
		server.headersTimeout = 66_000;
		const { port } = server.address() as AddressInfo;
		const host = ['0.0.0.0', '::'].includes(config.host) ? '127.0.0.1' : config.host;
		const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
		logger.info('started', { url, store: config.couchdbUrl ? 'couchdb' : config.store });

		let upgrading: Promise<unknown> = Promise.resolve();
		if (config.workers.enabled) {
			runner.start();
			forwarder.start();
			transfers.start();
			watcher.start();
			// Every unit database gets back the design document and access list its directory record
			// says it should have (an older server's, or one somebody changed), in the background.
			upgrading = provision
				.restoreUnitDatabases()
				.then(
					({ restored }) => restored > 0 && logger.info('unit_databases_restored', { restored })
				)
				.catch((error) => logger.error('design_upgrade_failed', { error: describeError(error) }));
		}

		return {
			url,
			port,
			config,
			couch,
			accounts,
			provision,
			devices,
			audit,
			jobs,
			units,
			registry,
			workers: { runner, forwarder, transfers, watcher },
			embeddedStore: embedded
				? { url: embedded.url, user: embedded.admin.user, password: embedded.admin.password }
				: undefined,
			close: async () => {
				await runner.stop();
				await transfers.stop();
				await forwarder.stop();
				await watcher.stop();
				dbUpdates.close();
				await upgrading;
				await closeServer(server);
				await embedded?.close();
			}
		};
	} catch (error) {
		await embedded?.close();
		throw error;
	}
}

function closeServer(server: Server): Promise<void> {
	return new Promise((resolve) => {
		server.close(() => resolve());
		// Live _changes feeds never end by themselves.
		server.closeAllConnections();
	});
}

/** Apache CouchDB may still be starting (containers start together): wait up to 30 s. */
async function waitForAdmin(couch: CouchClient): Promise<void> {
	const deadline = Date.now() + 30_000;
	for (;;) {
		try {
			const session = await couch.json<{ userCtx?: { roles?: string[] } }>({ path: '_session' });
			if (session.userCtx?.roles?.includes('_admin')) return;
			throw new Error(
				'Tài khoản CouchDB trong COUCHDB_URL / COUCHDB_USER không phải quản trị viên máy chủ.'
			);
		} catch (error) {
			const unreachable = error instanceof TypeError;
			if (!unreachable || Date.now() > deadline) throw error;
			await new Promise((resolve) => setTimeout(resolve, 1000));
		}
	}
}

function requestLog(logger: Logger) {
	return (req: Request, res: Response, next: NextFunction) => {
		const start = process.hrtime.bigint();
		const path = req.originalUrl.split('?', 1)[0];
		res.once('close', () => {
			logger.info('request', {
				method: req.method,
				path,
				status: res.statusCode,
				ms: Number((process.hrtime.bigint() - start) / 1_000_000n),
				login: res.locals.login
			});
		});
		next();
	};
}

function errorHandler(logger: Logger) {
	return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
		const known = error instanceof AppError ? error : bodyParserError(error);
		if (known) {
			sendError(res, { status: known.status, ...known.body });
			return;
		}
		logger.error('request_failed', {
			method: req.method,
			path: req.originalUrl.split('?', 1)[0],
			error: describeError(error)
		});
		// fetch() to CouchDB failing outright means the store is down, not that we are broken.
		if (error instanceof TypeError && /fetch failed/.test(error.message)) {
			sendError(res, { status: 503, ...UNAVAILABLE_ERROR });
			return;
		}
		sendError(res, { status: 500, ...INTERNAL_ERROR });
	};
}

let guardsInstalled = false;

// An upstream socket error or a bug in one request must not take every secretary's sync down.
function installProcessGuards(logger: Logger): void {
	if (guardsInstalled) return;
	guardsInstalled = true;
	process.on('uncaughtException', (error) => {
		logger.error('uncaught_exception', { error: describeError(error) });
	});
	process.on('unhandledRejection', (reason) => {
		logger.error('unhandled_rejection', { error: describeError(reason) });
	});
}
