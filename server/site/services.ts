import { AccountService, type CouchUserKey } from '../accounts/account-service';
import { DeviceService } from '../accounts/device-service';
import { AuditService } from '../audit/audit-service';
import type { Config } from '../config';
import type { CouchClient } from '../couch/couch-client';
import { dbNames, type DbNames } from '../couch/db-names';
import { DbUpdates } from '../couch/db-updates';
import { ProvisionService, type UnitRecord } from '../couch/provision-service';
import { SecurityCache } from '../couch/security-cache';
import { CouchSessionCache } from '../couch/session-cache';
import { DirectoryIndex } from '../org/directory-index';
import { CitizenRegistry } from '../registry/registry-service';
import { JobService } from '../workers/job-service';
import { VapidKeys } from '../push/vapid-keys';

// The server's services over the store, each with its system database and indexes ready.

export interface Services {
	couch: CouchClient;
	names: DbNames;
	dbUpdates: DbUpdates;
	/** A unit database was written to by the server (recorded in `doanvu_dbupdates`). */
	touch: (db: string) => void;
	provision: ProvisionService;
	accounts: AccountService;
	devices: DeviceService;
	audit: AuditService;
	jobs: JobService;
	directory: DirectoryIndex;
	security: SecurityCache;
	couchSessions: CouchSessionCache;
	/** Opens an account's CouchDB session in the background (account created, device signed in). */
	warmCouchSession: (account: CouchUserKey) => void;
	registry: CitizenRegistry;
	/** The server's Web Push key pair (docs/decisions/0022-web-push.md). */
	vapid: VapidKeys;
	/** Units as the directory says now (refreshed at most once a second), for the registry. */
	unitById: (id: string) => Promise<UnitRecord | undefined>;
}

export async function createServices(couch: CouchClient, config: Config): Promise<Services> {
	const names = dbNames(config.dbPrefix);
	const dbUpdates = new DbUpdates({ couch, db: names.dbUpdates });
	const touch = (db: string) => dbUpdates.touch(db);
	const provision = new ProvisionService({ couch, names, onWrite: touch });
	await provision.ensureSystemDatabases();
	const couchSessions = new CouchSessionCache({ couch });
	// In the background: a failure here only means the first sync opens the session itself.
	const warmCouchSession = (account: CouchUserKey) =>
		void couchSessions.get(account).catch(() => undefined);
	const accounts = new AccountService({
		couch,
		names,
		getUnit: (id) => provision.getUnit(id),
		passwordIterations: config.passwordIterations,
		onCouchUserWritten: warmCouchSession
	});
	await accounts.ensureIndexes();
	const devices = new DeviceService({ couch, names, accounts });
	await devices.ensureIndexes();
	const audit = new AuditService({ couch, names });
	const jobs = new JobService({ couch, names });
	await jobs.ensureIndexes();
	const directory = new DirectoryIndex({ couch, db: names.directory });
	const security = new SecurityCache({ couch });
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
	const vapid = new VapidKeys({ couch, db: names.accounts, configured: config.push.vapidKeys });
	return {
		couch,
		names,
		dbUpdates,
		touch,
		provision,
		accounts,
		devices,
		audit,
		jobs,
		directory,
		security,
		couchSessions,
		warmCouchSession,
		registry,
		vapid,
		unitById
	};
}
