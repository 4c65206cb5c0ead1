import * as v from 'valibot';
import { CouchError, type CouchClient } from '../couch/couch-client';
import { unitDbName } from '../couch/db-names';
import type { Logger } from '../http/logger';
import { LeasedLoop } from '../workers/leased-loop';
import { MailReceiptDocSchema, mailReceiptDocId } from '../../src/lib/domain/mail';
import type { PushNotifier } from './push-notifier';

// The notice an hour before a meeting (docs/decisions/0022-web-push.md, "Before a meeting"). The
// phone reminds in the app from its own copy (today, tomorrow, within the hour), but an app that is
// closed says nothing: the server, which delivered the invitation, knows when it starts and sends a
// Web Push to the invited units' subscribed phones. Like the mail notice it says nothing personal —
// "a meeting starts within the hour", no subject, no place.
//
// The post office schedules a notice when it delivers an invitation: `meeting-notice:<sender>:<mail>`
// in the jobs database (server-only), naming the units it reached. One process at a time (a lease)
// looks every `pollMs` for notices due — from `leadMs` before the start until the start — skips the
// units whose receipt answers "absent", asks the notifier, then marks the notice sent. A crash
// between the two sends it once more, which the push services' `topic` collapses on the phone. A
// notice is removed a day after its meeting.

export const MEETING_NOTICE_LEASE_ID = 'lease:meeting-notices';
const KEEP_AFTER_START_MS = 24 * 60 * 60_000;

const MeetingNoticeDocSchema = v.object({
	_id: v.string(),
	_rev: v.optional(v.string()),
	type: v.literal('meeting-notice'),
	senderId: v.string(),
	mailId: v.string(),
	startsAt: v.pipe(v.string(), v.isoTimestamp()),
	units: v.array(v.string()),
	sentAt: v.optional(v.string())
});
export type MeetingNoticeDoc = v.InferOutput<typeof MeetingNoticeDocSchema>;

export function meetingNoticeId(options: { senderId: string; mailId: string }): string {
	return `meeting-notice:${options.senderId}:${options.mailId}`;
}

export class MeetingNotices {
	readonly #couch: CouchClient;
	readonly #db: string;
	readonly #notifier: PushNotifier;
	readonly #leadMs: number;
	readonly #now: () => Date;
	readonly #logger: Logger;
	readonly #loop: LeasedLoop;

	constructor(options: {
		couch: CouchClient;
		/** The jobs database (server-only; it holds the lease too). */
		db: string;
		notifier: PushNotifier;
		owner: string;
		leaseMs: number;
		pollMs?: number;
		leadMs?: number;
		now?: () => Date;
		logger: Logger;
	}) {
		this.#couch = options.couch;
		this.#db = options.db;
		this.#notifier = options.notifier;
		this.#leadMs = options.leadMs ?? 60 * 60_000;
		this.#now = options.now ?? (() => new Date());
		this.#logger = options.logger;
		const pollMs = options.pollMs ?? 30_000;
		this.#loop = new LeasedLoop({
			couch: options.couch,
			db: options.db,
			leaseId: MEETING_NOTICE_LEASE_ID,
			owner: options.owner,
			leaseMs: options.leaseMs,
			logger: options.logger,
			failureEvent: 'meeting_notices_failed',
			tick: () => this.#tick(),
			nextDelay: () => (this.#loop.holdsLease ? pollMs : Math.max(pollMs, options.leaseMs / 4))
		});
	}

	start(): void {
		this.#loop.start();
	}

	stop(): Promise<void> {
		return this.#loop.stop();
	}

	/** Looks for due notices now (tests; a notice scheduled already due). */
	nudge(): void {
		this.#loop.soon(0);
	}

	/**
	 * An invitation reached these units: their phones will hear of it before it starts. Called again
	 * for the same mail (a resumed delivery), it adds the units; a notice already sent is not sent
	 * again to units added later — they have the invitation itself, and the app's reminder.
	 */
	async schedule(options: {
		senderId: string;
		mailId: string;
		startsAt: string;
		unitIds: readonly string[];
	}): Promise<void> {
		if (options.unitIds.length === 0) return;
		const id = meetingNoticeId(options);
		for (let attempt = 0; attempt < 5; attempt++) {
			const current = await this.#couch.getDoc<MeetingNoticeDoc>({ db: this.#db, id });
			const units = [...new Set([...(current?.units ?? []), ...options.unitIds])];
			if (current && units.length === current.units.length) return;
			const doc: MeetingNoticeDoc = {
				...(current ?? {}),
				_id: id,
				type: 'meeting-notice',
				senderId: options.senderId,
				mailId: options.mailId,
				startsAt: options.startsAt,
				units
			};
			try {
				await this.#couch.putDoc({ db: this.#db, doc });
				if (Date.parse(options.startsAt) - this.#leadMs <= this.#now().getTime()) this.nudge();
				return;
			} catch (error) {
				if (!(error instanceof CouchError) || error.status !== 409) throw error;
			}
		}
	}

	async #tick(): Promise<void> {
		if (!(await this.#loop.holdLease())) return;
		const rows = await this.#couch.allDocs<MeetingNoticeDoc>({
			db: this.#db,
			startkey: 'meeting-notice:',
			endkey: 'meeting-notice:\ufff0',
			includeDocs: true
		});
		const now = this.#now().getTime();
		for (const row of rows) {
			const parsed = v.safeParse(MeetingNoticeDocSchema, row.doc);
			if (!parsed.success) continue;
			const notice = parsed.output;
			const start = Date.parse(notice.startsAt);
			if (now > start + KEEP_AFTER_START_MS) {
				await this.#couch
					.bulkDocs({ db: this.#db, docs: [{ ...notice, _deleted: true }] })
					.catch(() => undefined);
				continue;
			}
			if (notice.sentAt || now < start - this.#leadMs || now >= start) continue;
			const units = await this.#attending(notice);
			if (units.length > 0) this.#notifier.meetingSoon(units);
			await this.#couch.putDoc({
				db: this.#db,
				doc: { ...notice, sentAt: new Date(now).toISOString() }
			});
			this.#logger.info('meeting_notice_sent', { mailId: notice.mailId, units: units.length });
		}
	}

	/** The notice's units less those whose receipt answers "absent". */
	async #attending(notice: MeetingNoticeDoc): Promise<string[]> {
		const id = mailReceiptDocId({ fromUnitId: notice.senderId, mailId: notice.mailId });
		const units: string[] = [];
		for (const unitId of notice.units) {
			const doc = await this.#couch.getDoc({ db: unitDbName(unitId), id }).catch(() => undefined);
			const receipt = v.safeParse(MailReceiptDocSchema, doc);
			if (receipt.success && receipt.output.response?.answer === 'absent') continue;
			units.push(unitId);
		}
		return units;
	}
}
