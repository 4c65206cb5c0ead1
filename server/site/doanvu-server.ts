import { AccountAdmin } from '../accounts/account-admin';
import type { AccountService } from '../accounts/account-service';
import type { DeviceService } from '../accounts/device-service';
import { LoginRateLimiter } from '../accounts/login-rate-limiter';
import { SessionController } from '../accounts/session-controller';
import type { AuditService } from '../audit/audit-service';
import { loadConfig, type Config } from '../config';
import type { CouchClient } from '../couch/couch-client';
import type { ProvisionService } from '../couch/provision-service';
import { createHttpApp } from '../http/app';
import { closeServer, listen } from '../http/listen';
import { createLogger, describeError } from '../http/logger';
import { installProcessGuards } from '../http/process-guards';
import { OrgImportService, type OrgImportHooks } from '../org/org-import-service';
import { UnitService } from '../org/unit-service';
import type { CitizenRegistry } from '../registry/registry-service';
import { connectStore } from '../store/connect';
import type { JobRunner, WorkerHooks } from '../workers/job-runner';
import type { Forwarder } from '../workers/forwarder';
import type { JobService } from '../workers/job-service';
import type { PostOffice } from '../workers/post-office';
import type { PushNotifier } from '../push/push-notifier';
import type { UnitWatcher } from '../workers/unit-watcher';
import type { FiguresWorker } from '../workers/figures-worker';
import { createServices } from './services';
import { Workers } from './workers';

// The whole server in one call, so that main.ts and the tests start exactly the same thing: the
// store (store/connect.ts), the services over it (services.ts), the workers (workers.ts), the HTTP
// app (http/app.ts), listening (http/listen.ts); then the workers start and unit databases are
// brought up to date in the background.

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
	/** Units and secretaries' accounts from a sheet (server/org/org-import-service.ts). */
	orgImports: OrgImportService;
	/** The national citizen-id registry (registry-service.ts). */
	registry: CitizenRegistry;
	/**
	 * The workers running in this process: merges and splits (`runner`, `forwarder`), transfers
	 * between units (`transfers`), the watcher of the unit databases (`watcher`) and the post office
	 * of reminders and mail (`reminders`).
	 */
	workers: {
		runner: JobRunner;
		forwarder: Forwarder;
		transfers: JobRunner;
		watcher: UnitWatcher;
		reminders: PostOffice;
		/** Web Push notices of arrived mail (server/push/push-notifier.ts). */
		push: PushNotifier;
		/** The figures worker (figures-worker.ts), when the config runs it. */
		figures: FiguresWorker | undefined;
	};
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
	/** Tests only: the organisation import's lease and a hook before each unit it founds. */
	orgImport?: { leaseMs?: number; hooks?: OrgImportHooks };
}

export async function createDoanvuServer(options: ServerOptions = {}): Promise<DoanvuServer> {
	const { workerHooks, orgImport, ...overrides } = options;
	const config = loadConfig({ overrides });
	const logger = createLogger({ enabled: config.log });
	installProcessGuards(logger);

	const { couch, embedded } = await connectStore(config);
	try {
		const services = await createServices(couch, config);
		const { provision, accounts, devices, audit, jobs, registry } = services;
		const workers = new Workers({ services, config, logger, hooks: workerHooks });
		const units = new UnitService({
			...services,
			onJobCreated: () => workers.runner.nudge()
		});
		const accountAdmin = new AccountAdmin({ accounts, devices, provision, audit });
		const orgImports = new OrgImportService({
			...services,
			accountsDb: services.names.accounts,
			onDirectoryChange: () => workers.directoryChanged(),
			...orgImport
		});
		const sessions = new SessionController({
			accounts,
			devices,
			provision,
			limiter: new LoginRateLimiter(config.loginLimits),
			cookieSecure: config.cookieSecure,
			warmCouchSession: services.warmCouchSession
		});
		const app = createHttpApp({
			config,
			logger,
			services,
			workers,
			units,
			accountAdmin,
			sessions,
			orgImports
		});

		const { server, port, url } = await listen(app, config);
		server.on('error', (error) => logger.error('server_error', { error: describeError(error) }));
		logger.info('started', { url, store: config.couchdbUrl ? 'couchdb' : config.store });

		let upgrading: Promise<unknown> = Promise.resolve();
		if (config.workers.enabled) {
			workers.start();
			orgImports.start();
			// Every unit database gets back the design document and access list its directory record
			// says it should have (an older server's, or one somebody changed), in the background.
			// Imports whose process died are rolled back first: restoring would bring back their databases.
			upgrading = orgImports
				.recoverInterrupted()
				.then(() => provision.restoreUnitDatabases())
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
			orgImports,
			registry,
			workers: {
				runner: workers.runner,
				forwarder: workers.forwarder,
				transfers: workers.transfers,
				watcher: workers.watcher,
				reminders: workers.reminders,
				push: workers.push,
				figures: workers.figures
			},
			embeddedStore: embedded
				? { url: embedded.url, user: embedded.admin.user, password: embedded.admin.password }
				: undefined,
			close: async () => {
				await orgImports.stop();
				await workers.stop();
				services.dbUpdates.close();
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
