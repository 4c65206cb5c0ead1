import { newReceiptCode } from '$lib/domain/declarations/codes';
import type { ConsentRecord } from '$lib/domain/declarations/consent';
import type { DeclarationView } from '$lib/domain/declarations/declaration-api';
import type { DeclarationInput } from '$lib/domain/declarations/declaration-input';
import { submitDeclaration } from './declaration-api';
import { keysWithPrefix, readJson, removeKey, writeJson } from './local-store';

// The member's declarations on this phone (docs/decisions/0019-self-declarations.md): pressing
// "Gửi" stores the declaration beside a receipt code made here, first, then sends it. Until the
// server has it, it waits ("Chờ gửi") and is sent again when the network comes back, when the page
// opens and every 30 seconds while it is open; a resend after a lost answer carries the same code
// and body, which the server recognises (200) instead of making a second declaration. Once sent,
// the entry stays without the fields (her receipts on this phone), so the personal data does not
// outlive its delivery. A refusal (4xx) is kept with its reason and never resent as is; a 429 waits
// the time the server asks.

const RECEIPT_PREFIX = 'doanvu.khai.receipt.';

export type OutboxState = 'waiting' | 'sent' | 'refused';

export interface OutboxEntry {
	receipt: string;
	/** The join link's segment `<unitId>-<CODE>`. */
	link: string;
	queuedAt: string;
	state: OutboxState;
	unitName?: string;
	branchName?: string;
	/** What she declared: kept only until the server has it (or refused it, for her to fix). */
	fields?: DeclarationInput;
	consent?: ConsentRecord;
	sentAt?: string;
	/** Not before this moment (a 429's Retry-After). */
	notBefore?: string;
	/** The last attempt that did not reach the server. */
	lastTry?: { at: string; reason: string };
	/** The server's refusal (4xx other than 429): shown, never resent as is. */
	refusal?: { status: number; error: string; reason: string; fields?: Record<string, string> };
}

/** Whether `localStorage` kept the last write (false: private mode or full storage). */
let durable = true;

export function outboxIsDurable(): boolean {
	return durable;
}

function save(entry: OutboxEntry): void {
	durable = writeJson(RECEIPT_PREFIX + entry.receipt, entry) && durable;
}

export function readEntry(receipt: string): OutboxEntry | null {
	return readJson<OutboxEntry>(RECEIPT_PREFIX + receipt);
}

/** This phone's declarations, the newest first. */
export function listEntries(): OutboxEntry[] {
	return keysWithPrefix(RECEIPT_PREFIX)
		.map((key) => readJson<OutboxEntry>(key))
		.filter((entry): entry is OutboxEntry => !!entry && typeof entry.receipt === 'string')
		.sort((a, b) => b.queuedAt.localeCompare(a.queuedAt));
}

export function forgetEntry(receipt: string): void {
	removeKey(RECEIPT_PREFIX + receipt);
}

/** Stores a new declaration with a receipt code made here; sending is sendEntry's. */
export function queueDeclaration(options: {
	link: string;
	fields: DeclarationInput;
	consent: ConsentRecord;
	unitName?: string;
	branchName?: string;
	now?: Date;
}): OutboxEntry {
	const entry: OutboxEntry = {
		receipt: newReceiptCode(),
		link: options.link,
		queuedAt: (options.now ?? new Date()).toISOString(),
		state: 'waiting',
		unitName: options.unitName,
		branchName: options.branchName,
		fields: options.fields,
		consent: options.consent
	};
	save(entry);
	return entry;
}

function sent(entry: OutboxEntry, view: DeclarationView): OutboxEntry {
	const { fields: _fields, consent: _consent, notBefore: _n, lastTry: _l, ...rest } = entry;
	return {
		...rest,
		state: 'sent',
		sentAt: new Date().toISOString(),
		unitName: view.unit?.name ?? entry.unitName,
		branchName: view.branch?.name ?? entry.branchName
	};
}

const inFlight = new Map<string, Promise<OutboxEntry | null>>();

/** Sends one waiting declaration (once at a time per code) and records what came of it. */
export function sendEntry(receipt: string): Promise<OutboxEntry | null> {
	const running = inFlight.get(receipt);
	if (running) return running;
	const attempt = (async () => {
		const entry = readEntry(receipt);
		if (!entry || entry.state !== 'waiting' || !entry.fields || !entry.consent) return entry;
		const answer = await submitDeclaration({
			link: entry.link,
			receipt: entry.receipt,
			fields: entry.fields,
			consent: entry.consent
		});
		const now = new Date();
		let next: OutboxEntry;
		if (answer.kind === 'ok') next = sent(entry, answer.value);
		else if (answer.kind === 'wait') {
			next = {
				...entry,
				notBefore: new Date(now.getTime() + answer.retryAfterSeconds * 1000).toISOString(),
				lastTry: { at: now.toISOString(), reason: answer.reason }
			};
		} else if (answer.kind === 'unreachable') {
			next = { ...entry, lastTry: { at: now.toISOString(), reason: answer.reason } };
		} else {
			next = {
				...entry,
				state: 'refused',
				refusal: {
					status: answer.status,
					error: answer.error,
					reason: answer.reason,
					fields: answer.fields
				}
			};
		}
		save(next);
		return next;
	})().finally(() => inFlight.delete(receipt));
	inFlight.set(receipt, attempt);
	return attempt;
}

/** Sends every waiting declaration whose wait is over, oldest first; stops at the first that
 * cannot reach the server (the others would not either). */
export async function sendWaiting(now: Date = new Date()): Promise<void> {
	const waiting = listEntries()
		.filter((entry) => entry.state === 'waiting')
		.filter((entry) => !entry.notBefore || new Date(entry.notBefore) <= now)
		.reverse();
	for (const entry of waiting) {
		const result = await sendEntry(entry.receipt);
		if (result?.state === 'waiting' && !result.notBefore) break;
	}
}

/** How often a waiting declaration is tried again while the page is open. */
export const RESEND_INTERVAL_MS = 30_000;

/**
 * Sends what waits now, again when the browser says the network is back, and every 30 s; calls
 * `onchange` after each round (and when another tab changed the outbox). Returns the stop.
 */
export function watchOutbox(onchange: () => void): () => void {
	let stopped = false;
	const round = () => {
		void sendWaiting().finally(() => {
			if (!stopped) onchange();
		});
	};
	const storage = (event: StorageEvent) => {
		if (event.key?.startsWith(RECEIPT_PREFIX)) onchange();
	};
	round();
	const timer = setInterval(round, RESEND_INTERVAL_MS);
	window.addEventListener('online', round);
	window.addEventListener('storage', storage);
	return () => {
		stopped = true;
		clearInterval(timer);
		window.removeEventListener('online', round);
		window.removeEventListener('storage', storage);
	};
}
