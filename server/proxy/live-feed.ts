import type { Request, Response } from 'express';
import type { SessionController } from '../accounts/session-controller';

// Live `_changes` feeds (longpoll, continuous, eventsource) stay open for minutes: they skip the
// compressor, and the device behind one is checked again while it stays open.

/** How often a live `_changes` feed's device is checked again (see watchStanding). */
const LIVE_FEED_RECHECK_MS = 2000;

const LIVE_FEEDS = new Set(['longpoll', 'continuous', 'eventsource']);

/** Live `_changes` feeds must not sit in a compressor's buffer: heartbeats and changes go out at once. */
export function isLiveFeed(req: Request): boolean {
	if (!req.path.endsWith('/_changes')) return false;
	const feed = req.query.feed;
	return typeof feed === 'string' && LIVE_FEEDS.has(feed);
}

/**
 * A live feed was authorised when it opened; it is checked again every few seconds and ended
 * as soon as the device is revoked, signed out or its account disabled (ending the response
 * destroys the upstream feed too, see CouchUpstream).
 */
export function watchStanding(sessions: SessionController, req: Request, res: Response): void {
	const timer = setInterval(() => {
		sessions
			.recheck(req)
			.then((standing) => {
				if (!standing.ok && !res.writableEnded) res.end();
			})
			.catch(() => {});
	}, LIVE_FEED_RECHECK_MS);
	timer.unref();
	res.once('close', () => clearInterval(timer));
}
