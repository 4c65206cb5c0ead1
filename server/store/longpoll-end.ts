// A longpoll `_changes` feed on the embedded store ends as Apache CouchDB's does.
//
// express-pouchdb 4.2 (lib/routes/changes.js) answers `feed=longpoll` by writing `{"results":[`
// and waiting on a live PouchDB feed until a change comes. It ignores `timeout`, and when the feed
// ends without a change (the database deleted: PouchDB cancels its feeds) it only stops its
// heartbeat: the answer never ends. A phone waiting on a unit whose database was deleted (an
// organisation import rolled back) held its connection, and one of its two longpoll turns
// (src/lib/data/sync/connection-slots.ts), for good. CouchDB ends such a feed at once with no
// results, and any longpoll after `timeout` (60 s by default).
//
// So the request's database is handed to the route behind a thin wrapper whose live `changes`
// is cancelled at the timeout, and whose end without a change closes the answer with CouchDB's
// tail (`],"last_seq":…}`). Only longpoll feeds: continuous ones end when the client leaves.
// tests/integration/store-longpoll.test.ts fails if an upgrade changes the route's shape.

/** CouchDB's `changes_timeout` default: a longpoll with nothing to say answers after a minute. */
const DEFAULT_TIMEOUT_MS = 60_000;

type Feed = {
	cancel(): void;
	emit(event: 'complete', result: unknown): boolean;
};
type ChangesDb = {
	changes(options: { live?: boolean }): Feed;
	info(): Promise<{ update_seq: number | string }>;
	once(event: 'destroyed', listener: () => void): void;
	removeListener(event: 'destroyed', listener: () => void): void;
};
type Req = { query: Record<string, unknown> };
type Res = {
	headersSent: boolean;
	writableEnded: boolean;
	destroyed: boolean;
	write(chunk: string): void;
	end(): void;
	once(event: 'close', listener: () => void): void;
};

export function isLongpoll(req: Req): boolean {
	return req.query.feed === 'longpoll';
}

/** The request's `timeout` in milliseconds (CouchDB's default when absent or not a number). */
function timeoutOf(req: Req): number {
	const raw = Number(req.query.timeout);
	return Number.isFinite(raw) && raw >= 0 ? raw : DEFAULT_TIMEOUT_MS;
}

/** `since` as the feed's `last_seq` when it ends with nothing new. */
function sinceOf(req: Req): number | string {
	const raw = req.query.since;
	if (typeof raw === 'number') return raw;
	if (typeof raw !== 'string' || raw === 'now') return 0;
	return /^\d+$/.test(raw) ? Number(raw) : raw;
}

/**
 * The database to give express-pouchdb's `_changes` route for a longpoll request: the same
 * database, whose live feed is ended at the request's timeout or when the database is destroyed,
 * with the answer CouchDB gives then.
 */
export function endingLongpoll<D extends ChangesDb>(db: D, req: Req, res: Res): D {
	// Read before the route replaces `req.query` with PouchDB's options.
	const timeoutMs = timeoutOf(req);
	const since = sinceOf(req);
	const wrapped = Object.create(db) as D;
	wrapped.changes = (options) => {
		const feed = db.changes(options);
		if (!options.live) return feed;
		const end = (lastSeq: number | string) => {
			stop();
			if (res.writableEnded || res.destroyed || !res.headersSent) return;
			// The route stops its heartbeat on `complete`; the wrapper express-pouchdb puts around
			// PouchDB's feed (pouchdb-changeslike-wrapper) drops every listener on `cancel`
			// without emitting it, so it is emitted here first.
			feed.emit('complete', { status: 'cancelled' });
			feed.cancel();
			res.write(`],\n"last_seq":${JSON.stringify(lastSeq)}}\n`);
			res.end();
		};
		// At the timeout the database is there: its sequence, as CouchDB answers.
		const timer = setTimeout(() => {
			db.info().then(
				(info) => end(info.update_seq),
				() => end(since)
			);
		}, timeoutMs);
		const destroyed = () => end(since);
		const stop = () => {
			clearTimeout(timer);
			db.removeListener('destroyed', destroyed);
		};
		db.once('destroyed', destroyed);
		// A change answered (the route ends the answer) or the client left.
		res.once('close', stop);
		return feed;
	};
	return wrapped;
}
