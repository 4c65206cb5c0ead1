import compression from 'compression';
import express, { type Express, type Request, type Response } from 'express';
import type { AccountAdmin } from '../accounts/account-admin';
import { createApiRouter } from '../accounts/api-router';
import { createAttachmentRouter } from '../attachments/attachment-router';
import { createExportAuditRouter } from '../audit/export-audit-router';
import { FileStore } from '../attachments/file-store';
import { DeclarationAudit } from '../declarations/declaration-audit';
import { DeclarationLimiter } from '../declarations/declaration-limits';
import { createDeclarationRouter } from '../declarations/declaration-router';
import { DeclarationService } from '../declarations/declaration-service';
import { ReceiptIndex } from '../declarations/receipt-index';
import { UnitReader } from '../declarations/unit-reader';
import type { SessionController } from '../accounts/session-controller';
import type { Config } from '../config';
import { createOrgImportRouter } from '../org/org-import-router';
import type { OrgImportService } from '../org/org-import-service';
import { createOrgRouter } from '../org/org-router';
import type { UnitService } from '../org/unit-service';
import { isLiveFeed } from '../proxy/live-feed';
import { createProxyRouter } from '../proxy/proxy-router';
import { createPushRouter } from '../push/push-router';
import { CouchUpstream } from '../proxy/upstream';
import { WriteGuard } from '../proxy/write-guard';
import { createRegistryRouter } from '../registry/registry-router';
import type { Services } from '../site/services';
import type { Workers } from '../site/workers';
import { sendError } from './app-error';
import { errorHandler } from './error-handler';
import type { Logger } from './logger';
import { requestLog } from './request-log';
import { crossSiteGuard, slowBodyGuard } from './request-guards';
import { securityHeaders } from './security-headers';
import { createStaticRouter } from './static-router';

// The Express app, in the order every request meets it: log, security headers, the request guards
// of /api and /couch (before any router reads a body), compression, the /api routers, the /couch
// proxy, the static app, a 404, and the error handler.

export function createHttpApp(options: {
	config: Config;
	logger: Logger;
	services: Services;
	workers: Workers;
	units: UnitService;
	accountAdmin: AccountAdmin;
	sessions: SessionController;
	orgImports: OrgImportService;
}): Express {
	const { config, logger, services, workers, units, accountAdmin, sessions, orgImports } = options;
	const { couch, accounts, provision, audit, registry } = services;
	// Mail attachments' store: the API uploads and serves, the write guard checks a mail's files.
	const files = new FileStore({ couch, db: provision.names.files, units: services.unitById });
	// One way on to CouchDB for every device request, checked writes included.
	const upstream = new CouchUpstream({ couch, couchSessions: services.couchSessions });

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
	// Mail attachments: a raw body, read by its own router only (request-guards.ts lets it through).
	app.use(
		'/api',
		createAttachmentRouter({
			sessions,
			files,
			audit,
			uploadLimits: config.attachmentUploadLimits
		})
	);
	// Web Push subscriptions: before the routers whose JSON parser would read its bodies with a
	// larger limit than a subscription needs.
	app.use(
		'/api',
		createPushRouter({
			sessions,
			devices: services.devices,
			vapid: services.vapid,
			allowLocalHttpEndpoints: config.push.allowLocalHttpEndpoints ?? false
		})
	);
	// Exports' audit entries from the phones: before the routers whose JSON parser takes larger bodies.
	app.use('/api', createExportAuditRouter({ sessions, audit, unitById: services.unitById }));
	// Before the other /api routers: their JSON parser takes larger bodies than the public one may.
	app.use(
		'/api',
		createDeclarationRouter({
			service: new DeclarationService({
				couch,
				reader: new UnitReader({ couch, units: services.unitById }),
				index: new ReceiptIndex({ couch, db: services.names.declarations }),
				limiter: new DeclarationLimiter(config.declarationLimits),
				audit: new DeclarationAudit({
					audit,
					refusalWindowMs: config.declarationLimits.refusalAuditMs ?? 10 * 60_000
				}),
				onWrite: (db) => {
					services.dbUpdates.touch(db);
					workers.written(db);
				}
			})
		})
	);
	// Before the organisation router, whose JSON parser would refuse a sheet's rows (64 kB).
	app.use('/api', createOrgImportRouter({ sessions, imports: orgImports }));
	app.use(
		'/api',
		createOrgRouter({
			sessions,
			units,
			accountAdmin,
			forwardNow: (job) => workers.forwarder.forwardNow(job)
		})
	);
	app.use(
		'/api',
		createRegistryRouter({
			sessions,
			registry,
			provision,
			audit,
			rebuild: () => workers.watcher.rebuild(),
			clashLimits: config.registryClashLimits
		})
	);
	app.use(
		'/api',
		createApiRouter({
			couch,
			accounts,
			provision,
			sessions,
			audit,
			onDirectoryChange: () => workers.directoryChanged()
		})
	);
	app.use(
		'/couch',
		createProxyRouter({
			couch,
			sessions,
			security: services.security,
			upstream,
			maxBodyBytes: config.maxBodyBytes,
			maxDocsPerBatch: config.maxDocsPerBatch,
			onWrite: (db) => {
				services.dbUpdates.touch(db);
				workers.written(db);
			},
			bodyGuard: new WriteGuard({
				couch,
				upstream,
				registry,
				units: services.unitById,
				files
			})
		})
	);
	app.use(createStaticRouter({ buildDir: config.buildDir }));
	app.use((_req: Request, res: Response) => {
		sendError(res, { status: 404, error: 'not_found', reason: 'Không tìm thấy địa chỉ này.' });
	});
	app.use(errorHandler(logger));
	return app;
}
