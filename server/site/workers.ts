import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../config';
import type { Logger } from '../http/logger';
import type { DirectoryIndex } from '../org/directory-index';
import { DocCopier } from '../workers/doc-copier';
import { FiguresWorker } from '../workers/figures-worker';
import { Forwarder } from '../workers/forwarder';
import { JobRunner, type WorkerHooks } from '../workers/job-runner';
import { createMergeWorker } from '../workers/merge-worker';
import { createSplitWorker, type SplitDeps } from '../workers/split-worker';
import { createTransferWorker } from '../workers/transfer-worker';
import { MailDelivery } from '../workers/mail-delivery';
import { PostOffice } from '../workers/post-office';
import { MeetingNotices } from '../push/meeting-notices';
import { PushNotifier } from '../push/push-notifier';
import { ReminderDelivery } from '../workers/reminder-delivery';
import { UnitWatcher } from '../workers/unit-watcher';
import type { Services } from './services';

// The workers running in this process, coordinated with any other process only through CouchDB
// documents (leases, job documents): merges and splits (`runner`, `forwarder`), transfers between
// units (`transfers`), the watcher of the unit databases (`watcher`), the post office of
// reminders (`reminders`) and the figures (`figures`).

/** `idle` until started (workers disabled in the config stay idle), `running`, then `stopped`. */
export type WorkersState = 'idle' | 'running' | 'stopped';

export class Workers {
	readonly runner: JobRunner;
	readonly forwarder: Forwarder;
	readonly transfers: JobRunner;
	readonly watcher: UnitWatcher;
	/** The unit databases' post office: reminders and mail (post-office.ts). */
	readonly reminders: PostOffice;
	/** Web Push notices of arrived mail (docs/decisions/0022-web-push.md). */
	readonly push: PushNotifier;
	/** The Web Push notice an hour before a meeting (server/push/meeting-notices.ts). */
	readonly meetingNotices: MeetingNotices;
	/** The figures of every unit, rolled up the tree; undefined when the config leaves it off. */
	readonly figures: FiguresWorker | undefined;
	readonly #directory: DirectoryIndex;
	#state: WorkersState = 'idle';

	constructor(options: {
		services: Services;
		config: Config;
		logger: Logger;
		/** Tests only: stop the job runner as if the process died after a given step or batch. */
		hooks: WorkerHooks | undefined;
	}) {
		const { services, config, logger, hooks } = options;
		const { couch, provision, accounts, devices, audit, jobs, registry, security } = services;
		const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
		this.#directory = services.directory;
		const onDirectoryChange = () => this.directoryChanged();
		// The workers' own writes to unit databases: recorded for other processes, and the figures
		// of this one look at them at once.
		const touch = (db: string) => {
			services.touch(db);
			this.figures?.nudge(db);
		};
		const reorg: SplitDeps = {
			couch,
			provision,
			accounts,
			devices,
			audit,
			copier: new DocCopier({
				couch,
				checkpointDb: services.names.directory,
				onWrite: touch
			}),
			security,
			registry,
			batchSize: config.workers.batchSize,
			onDirectoryChange
		};
		this.runner = new JobRunner({
			jobs,
			workers: { merge: createMergeWorker(reorg), split: createSplitWorker(reorg) },
			owner,
			pollMs: config.workers.pollMs,
			leaseMs: config.workers.leaseMs,
			maxAttempts: config.workers.maxAttempts,
			hooks,
			logger
		});
		this.forwarder = new Forwarder({
			couch,
			jobs,
			deps: reorg,
			updates: services.dbUpdates,
			owner,
			leaseMs: config.workers.leaseMs,
			minMs: config.workers.forwardMinMs,
			maxMs: config.workers.forwardMaxMs,
			logger
		});
		const transferWorker = createTransferWorker({
			couch,
			provision,
			registry,
			audit,
			copier: reorg.copier,
			touch
		});
		this.transfers = new JobRunner({
			jobs,
			workers: { transfer: transferWorker },
			owner,
			// The watcher nudges it when it creates or wakes a job: polling is only the fallback.
			pollMs: config.workers.pollMs * 4,
			leaseMs: config.workers.leaseMs,
			maxAttempts: config.workers.maxAttempts,
			concurrency: config.workers.transferConcurrency ?? 4,
			hooks,
			logger
		});
		this.watcher = new UnitWatcher({
			couch,
			jobs,
			provision,
			registry,
			audit,
			transfers: transferWorker,
			updates: services.dbUpdates,
			owner,
			leaseMs: config.workers.leaseMs,
			// Its own process's writes nudge it at once; the poll is for other processes' writes.
			pollMs: Math.max(config.workers.pollMs, 100),
			sweepMs: config.workers.sweepMs ?? 10 * 60_000,
			batchSize: config.workers.batchSize,
			onJob: () => this.transfers.nudge(),
			logger
		});
		const post = { couch, provision, logger, hooks, onWrite: services.touch };
		this.push = new PushNotifier({
			accounts,
			devices,
			vapid: services.vapid,
			contact: config.push.contact,
			allowLocalHttp: config.push.allowLocalHttpEndpoints ?? false,
			concurrency: config.push.concurrency ?? 4,
			logger
		});
		const notice = config.push.meetingNotice ?? {};
		this.meetingNotices = new MeetingNotices({
			couch,
			db: jobs.db,
			notifier: this.push,
			owner,
			leaseMs: config.workers.leaseMs,
			...(notice.pollMs ? { pollMs: notice.pollMs } : {}),
			...(notice.leadMs ? { leadMs: notice.leadMs } : {}),
			...(notice.now ? { now: notice.now } : {}),
			logger
		});
		const mail = new MailDelivery({
			...post,
			onDelivered: (unitIds) => this.push.mailArrived(unitIds),
			onMeeting: (meeting) => this.meetingNotices.schedule(meeting)
		});
		this.reminders = new PostOffice({
			couch,
			provision,
			updates: services.dbUpdates,
			handlers: [new ReminderDelivery(post), mail],
			db: jobs.db,
			owner,
			leaseMs: config.workers.leaseMs,
			pollMs: Math.max(config.workers.pollMs, 100),
			batchSize: config.workers.batchSize,
			logger
		});
		const figures = config.workers.figures;
		this.figures = figures?.enabled
			? new FiguresWorker({
					couch,
					accounts,
					devices,
					updates: services.dbUpdates,
					directoryDb: services.names.directory,
					accountsDb: services.names.accounts,
					jobsDb: jobs.db,
					owner,
					leaseMs: config.workers.leaseMs,
					pollMs: figures.pollMs,
					minIntervalMs: figures.minIntervalMs,
					...(figures.now ? { now: figures.now } : {}),
					logger
				})
			: undefined;
	}

	get state(): WorkersState {
		return this.#state;
	}

	start(): void {
		if (this.#state !== 'idle') return;
		this.#state = 'running';
		this.runner.start();
		this.forwarder.start();
		this.transfers.start();
		this.watcher.start();
		this.reminders.start();
		this.meetingNotices.start();
		this.figures?.start();
	}

	/**
	 * The workers (or the first-run setup) changed the directory: it is read again, and the
	 * forwarder lists what it forwards again.
	 */
	directoryChanged(): void {
		this.#directory.refresh().catch(() => {});
		this.forwarder.refreshList();
	}

	/** The proxy forwarded a write to this unit database. */
	written(db: string): void {
		this.forwarder.nudge(db);
		this.watcher.nudge(db);
		this.reminders.nudge(db);
		this.figures?.nudge(db);
	}

	async stop(): Promise<void> {
		this.#state = 'stopped';
		await this.runner.stop();
		await this.transfers.stop();
		await this.forwarder.stop();
		await this.watcher.stop();
		await this.reminders.stop();
		await this.meetingNotices.stop();
		await this.push.stop();
		await this.figures?.stop();
	}
}
