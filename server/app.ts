import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import compression from 'compression';
import express, { type NextFunction, type Request, type Response } from 'express';
import { AccountService } from './account-service';
import { bodyParserError, createApiRouter } from './api-router';
import { AppError, INTERNAL_ERROR, sendError, UNAVAILABLE_ERROR } from './app-error';
import { loadConfig, type Config } from './config';
import { CouchClient, parseCouchUrl } from './couch-client';
import { CouchSessionCache } from './couch-session-cache';
import { dbNames } from './db-names';
import { DeviceService } from './device-service';
import { startEmbeddedStore, type EmbeddedStore } from './embedded-store';
import { createLogger, describeError, type Logger } from './logger';
import { LoginRateLimiter } from './login-rate-limiter';
import { ProvisionService } from './provision-service';
import { createProxyRouter, isLiveFeed } from './proxy-router';
import { SecurityCache } from './security-cache';
import { SessionController } from './session-controller';
import { createStaticRouter } from './static-router';

// The whole server in one call, so that main.ts and the tests start exactly the same thing.

export interface DoanvuServer {
	url: string;
	port: number;
	config: Config;
	couch: CouchClient;
	accounts: AccountService;
	provision: ProvisionService;
	devices: DeviceService;
	close(): Promise<void>;
}

export async function createDoanvuServer(options: Partial<Config> = {}): Promise<DoanvuServer> {
	const config = loadConfig({ overrides: options });
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
		embedded = await startEmbeddedStore({ dataDir: config.dataDir, store: config.store });
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
		const provision = new ProvisionService({ couch, names });
		await provision.ensureSystemDatabases();
		const accounts = new AccountService({
			couch,
			names,
			getUnit: (id) => provision.getUnit(id)
		});
		const devices = new DeviceService({ couch, names, accounts });
		await devices.ensureIndexes();
		const sessions = new SessionController({
			accounts,
			devices,
			provision,
			limiter: new LoginRateLimiter(config.loginLimits),
			cookieSecure: config.cookieSecure,
			retryAfterSeconds: Math.ceil(config.loginLimits.windowMs / 1000)
		});

		const app = express();
		app.disable('x-powered-by');
		app.set('trust proxy', config.trustProxy);
		app.use(requestLog(logger));
		app.use(
			compression({
				// Live feeds are skipped: a compressor would hold heartbeats and single changes back.
				filter: (req, res) => !isLiveFeed(req as Request) && compression.filter(req, res)
			})
		);
		app.use('/api', createApiRouter({ couch, accounts, provision, sessions }));
		app.use(
			'/couch',
			createProxyRouter({
				couch,
				sessions,
				couchSessions: new CouchSessionCache({ couch }),
				security: new SecurityCache({ couch }),
				maxBodyBytes: config.maxBodyBytes
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
		// A 32 MB upload over a 675 kbps uplink takes minutes; Node's 5-minute default would cut it.
		server.requestTimeout = 30 * 60_000;
		// Replication is many small sequential requests: keep connections warm between them, longer
		// than the usual load balancer idle timeout (60 s) so the balancer closes first.
		server.keepAliveTimeout = 65_000;
		server.headersTimeout = 66_000;
		const { port } = server.address() as AddressInfo;
		const host = ['0.0.0.0', '::'].includes(config.host) ? '127.0.0.1' : config.host;
		const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
		logger.info('started', { url, store: config.couchdbUrl ? 'couchdb' : config.store });

		return {
			url,
			port,
			config,
			couch,
			accounts,
			provision,
			devices,
			close: async () => {
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
