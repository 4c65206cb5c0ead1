import type { AccountService } from '../accounts/account-service';
import type { AuditService } from '../audit/audit-service';
import type { CouchClient } from '../couch/couch-client';
import type { ProvisionService } from '../couch/provision-service';
import type { SecurityCache } from '../couch/security-cache';
import type { CouchSessionCache } from '../couch/session-cache';
import type { DeviceService } from '../accounts/device-service';
import type { JobDoc, JobService, JobView } from '../workers/job-service';
import type { DirectoryEntry, DirectoryIndex } from './directory-index';
import { searchDirectory } from './directory-search';
import { OnlineRoster, type OnlineRosterPage } from './online-roster';
import type { Actor } from './org-access';
import { ReorganisationLocks } from './reorganisation-locks';
import { Reorganisations } from './reorganisations';
import { UnitLifecycle } from './unit-lifecycle';
import type { UnitInfo, UnitView } from './unit-views';

// The unit tree through the API (docs/architecture.md, "Organisation API"), one concern a file: a
// unit's life (unit-lifecycle.ts), merges and splits (reorganisations.ts) and the locks they hold
// (reorganisation-locks.ts), the directory search (directory-search.ts) and the online roster
// (online-roster.ts). This is the one object the router and the tests hold.

export class UnitService {
	readonly #lifecycle: UnitLifecycle;
	readonly #reorganisations: Reorganisations;
	readonly #roster: OnlineRoster;
	readonly #directory: DirectoryIndex;

	constructor(options: {
		couch: CouchClient;
		provision: ProvisionService;
		accounts: AccountService;
		devices: DeviceService;
		jobs: JobService;
		audit: AuditService;
		directory: DirectoryIndex;
		security: SecurityCache;
		couchSessions: CouchSessionCache;
		onJobCreated: () => void;
		now?: () => Date;
	}) {
		const now = options.now ?? (() => new Date());
		const locks = new ReorganisationLocks({ provision: options.provision, jobs: options.jobs });
		this.#lifecycle = new UnitLifecycle({ ...options, locks, now });
		this.#reorganisations = new Reorganisations({ ...options, locks, now });
		this.#roster = new OnlineRoster(options);
		this.#directory = options.directory;
	}

	view(actor: Actor, id: string): Promise<UnitView> {
		return this.#lifecycle.view(actor, id);
	}

	create(actor: Actor, body: unknown): Promise<UnitInfo> {
		return this.#lifecycle.create(actor, body);
	}

	rename(actor: Actor, id: string, body: unknown): Promise<UnitInfo> {
		return this.#lifecycle.rename(actor, id, body);
	}

	dissolve(actor: Actor, id: string): Promise<UnitInfo> {
		return this.#lifecycle.dissolve(actor, id);
	}

	requestMerge(actor: Actor, id: string, body: unknown): Promise<JobView> {
		return this.#reorganisations.requestMerge(actor, id, body);
	}

	requestSplit(actor: Actor, id: string, body: unknown): Promise<JobView> {
		return this.#reorganisations.requestSplit(actor, id, body);
	}

	getJob(actor: Actor, id: string): Promise<JobView> {
		return this.#reorganisations.getJob(actor, id);
	}

	closeForwarding(
		actor: Actor,
		id: string,
		forwardNow: (job: JobDoc) => Promise<number>
	): Promise<JobView> {
		return this.#reorganisations.closeForwarding(actor, id, forwardNow);
	}

	/** GET /api/directory: any signed-in account; names and places only, never members. */
	search(query: unknown): Promise<DirectoryEntry[]> {
		return searchDirectory(this.#directory, query);
	}

	/** A page of a unit's members for the online roster. */
	members(actor: Actor, id: string, query: unknown): Promise<OnlineRosterPage> {
		return this.#roster.page(actor, id, query);
	}
}
