// Whole on purpose (~490 lines): the link's token buckets, the HTTP framing it counts and its statistics share each connection's state.
import net from 'node:net';

// A mobile link between one device and the server, emulated at the TCP level: every byte in each
// direction waits for its turn on that direction's bandwidth (one token bucket per direction, shared
// by all the device's connections, as they share one radio), then flies for half the round trip.
// Opening a connection costs one round trip (the TCP handshake) before the first request leaves.
// Not modelled: TCP slow start, loss, TLS. HTTP/1.1 is parsed on the way through (framing only) to
// count requests, their bytes and their latency as the device sees it, and the chain of sequential
// round trips. The link can be cut (every connection reset, new ones refused) after a number of
// bytes has reached the device, and restored.

export interface LinkPreset {
	name: string;
	/** kbit/s (1,000 bits) towards the device. */
	downKbps: number;
	/** kbit/s from the device. */
	upKbps: number;
	rttMs: number;
}

export const PRESETS: Record<string, LinkPreset> = {
	'3G': { name: '3G', downKbps: 400, upKbps: 400, rttMs: 400 },
	'Slow 4G': { name: 'Slow 4G', downKbps: 1440, upKbps: 675, rttMs: 150 },
	// Loopback with counting only (the load scenario measures the server, not a link).
	none: { name: 'none', downKbps: 0, upKbps: 0, rttMs: 0 }
};

export interface RequestRecord {
	conn: number;
	method: string;
	path: string;
	status: number;
	/** ms (performance.timeOrigin-based, comparable across processes): the request left the device. */
	start: number;
	/** The last byte of the response reached the device (NaN if it never did). */
	end: number;
	upBytes: number;
	downBytes: number;
}

export interface LinkStats {
	requests: number;
	connections: number;
	maxConcurrentConnections: number;
	upBytes: number;
	downBytes: number;
	/** Longest chain of requests each sent after the previous one's answer had arrived. */
	sequentialRoundTrips: number;
	log: RequestRecord[];
}

const SLICE = 4096;

/** One connection's bytes waiting, in one direction, for their turn on the link. */
interface Flow {
	pending: { slice: Buffer | null; at: number }[];
	/** Not before the connection's handshake is done. */
	readyAt: number;
	/** Called with the time the slice has fully crossed the link and flown half a round trip. */
	arrive: (arrival: number, slice: Buffer | null) => void;
}

/**
 * One direction of the link: a single bottleneck shared by all connections, which take turns slice
 * by slice (as TCP connections sharing a radio interleave their packets), each slice occupying the
 * link for its size over the bandwidth and then flying for half the round trip.
 */
class Pacer {
	#free = 0;
	#turn = 0;
	#timer: ReturnType<typeof setTimeout> | null = null;
	readonly #flows: Flow[] = [];
	readonly #bytesPerMs: number;
	readonly #halfRtt: number;
	readonly #now: () => number;

	constructor(options: { kbps: number; rttMs: number; now: () => number }) {
		this.#bytesPerMs = options.kbps > 0 ? (options.kbps * 1000) / 8 / 1000 : Infinity;
		this.#halfRtt = options.rttMs / 2;
		this.#now = options.now;
	}

	flow(options: { readyAt: number; arrive: Flow['arrive'] }): Flow {
		const flow: Flow = { pending: [], ...options };
		this.#flows.push(flow);
		return flow;
	}

	remove(flow: Flow): void {
		const at = this.#flows.indexOf(flow);
		if (at >= 0) this.#flows.splice(at, 1);
	}

	push(flow: Flow, slice: Buffer | null): void {
		flow.pending.push({ slice, at: this.#now() });
		this.#dispatch();
	}

	#dispatch(): void {
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = null;
		for (;;) {
			const now = this.#now();
			if (this.#free > now + 0.5) {
				this.#timer = setTimeout(() => this.#dispatch(), this.#free - now);
				return;
			}
			// The next connection, in turn, with a slice it may send now.
			let chosen: Flow | undefined;
			let soonest = Infinity;
			for (let i = 0; i < this.#flows.length; i++) {
				const flow = this.#flows[(this.#turn + i) % this.#flows.length]!;
				if (flow.pending.length === 0) continue;
				if (flow.readyAt <= now + 0.5) {
					chosen = flow;
					this.#turn = (this.#turn + i + 1) % this.#flows.length;
					break;
				}
				soonest = Math.min(soonest, flow.readyAt);
			}
			if (!chosen) {
				if (soonest < Infinity) this.#timer = setTimeout(() => this.#dispatch(), soonest - now);
				return;
			}
			const { slice, at } = chosen.pending.shift()!;
			const start = Math.max(this.#free, at, chosen.readyAt);
			this.#free = start + (slice?.length ?? 0) / this.#bytesPerMs;
			chosen.arrive(this.#free + this.#halfRtt, slice);
		}
	}
}

/** HTTP/1.1 message framing, enough to find where each request and response ends. */
class HttpFramer {
	#buffer: Buffer = Buffer.alloc(0);
	#state: 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-trailer' | 'until-close' = 'head';
	#remaining = 0;
	readonly #onHead: (head: string) => { bodyless?: boolean };
	readonly #onEnd: () => void;

	constructor(options: { onHead: (head: string) => { bodyless?: boolean }; onEnd: () => void }) {
		this.#onHead = options.onHead;
		this.#onEnd = options.onEnd;
	}

	push(chunk: Buffer): void {
		this.#buffer = this.#buffer.length
			? Buffer.concat([this.#buffer as Uint8Array, chunk as Uint8Array])
			: chunk;
		for (;;) {
			if (this.#state === 'head') {
				const at = this.#buffer.indexOf('\r\n\r\n');
				if (at < 0) return;
				const head = this.#buffer.subarray(0, at).toString('latin1');
				this.#buffer = this.#buffer.subarray(at + 4);
				const { bodyless } = this.#onHead(head);
				const headers = head.toLowerCase();
				const length = /\r\ncontent-length:\s*(\d+)/.exec(headers);
				if (bodyless) this.#finish();
				else if (/\r\ntransfer-encoding:[^\r]*chunked/.test(headers)) this.#state = 'chunk-size';
				else if (length) {
					this.#remaining = Number(length[1]);
					this.#state = 'body';
					if (this.#remaining === 0) this.#finish();
				} else if (/^http\//i.test(head)) this.#state = 'until-close';
				else this.#finish();
				continue;
			}
			if (this.#state === 'body' || this.#state === 'chunk-data') {
				const take = Math.min(this.#remaining, this.#buffer.length);
				this.#remaining -= take;
				this.#buffer = this.#buffer.subarray(take);
				if (this.#remaining > 0) return;
				if (this.#state === 'body') this.#finish();
				else this.#state = 'chunk-size';
				continue;
			}
			if (this.#state === 'chunk-size') {
				const at = this.#buffer.indexOf('\r\n');
				if (at < 0) return;
				const line = this.#buffer.subarray(0, at).toString('latin1').trim();
				this.#buffer = this.#buffer.subarray(at + 2);
				if (line === '') continue; // the CRLF after a chunk's data
				const size = parseInt(line, 16);
				if (size === 0) this.#state = 'chunk-trailer';
				else {
					this.#remaining = size;
					this.#state = 'chunk-data';
				}
				continue;
			}
			if (this.#state === 'chunk-trailer') {
				const at = this.#buffer.indexOf('\r\n');
				if (at < 0) return;
				const line = this.#buffer.subarray(0, at);
				this.#buffer = this.#buffer.subarray(at + 2);
				if (line.length === 0) this.#finish();
				continue;
			}
			// until-close
			this.#buffer = Buffer.alloc(0);
			return;
		}
	}

	close(): void {
		if (this.#state === 'until-close') this.#finish();
	}

	#finish(): void {
		this.#state = 'head';
		this.#onEnd();
	}
}

export interface Link {
	port: number;
	url: string;
	readonly preset: LinkPreset;
	/** Changes bandwidth and latency (set-up phases run on 'none'). Closes open connections. */
	setPreset(preset: LinkPreset): void;
	stats(): LinkStats;
	/** Zeroes the counters (and forgets the request log). Connections stay open. */
	resetStats(): void;
	/** Closes every connection (the next request pays a handshake again), keeps the counters. */
	dropConnections(): void;
	/** Cuts the link once `bytes` more have reached the device. */
	cutAfter(options: { downBytes: number }): Promise<void>;
	cut(): void;
	restore(): void;
	close(): Promise<void>;
}

export async function startLink(options: {
	preset: LinkPreset;
	targetPort: number;
	targetHost?: string;
}): Promise<Link> {
	let preset = options.preset;
	const epoch = performance.now();
	const now = () => performance.now() - epoch;
	const absolute = () => performance.timeOrigin + performance.now();
	const pacers = (p: LinkPreset) => ({
		up: new Pacer({ kbps: p.upKbps, rttMs: p.rttMs, now }),
		down: new Pacer({ kbps: p.downKbps, rttMs: p.rttMs, now })
	});
	let { up, down } = pacers(preset);
	const sockets = new Set<net.Socket>();
	let connected = true;
	let connectionCount = 0;
	let open = 0;
	let maxOpen = 0;
	let upBytes = 0;
	let downBytes = 0;
	let log: RequestRecord[] = [];
	let cutPlan: { at: number; resolve: () => void } | null = null;

	// The device's side of each connection, to close it gracefully on a cut: bytes counted as
	// delivered must really reach the device (a reset could drop what sits in socket buffers).
	const deviceSockets = new WeakSet<net.Socket>();
	const cut = () => {
		connected = false;
		for (const socket of sockets) {
			if (deviceSockets.has(socket)) {
				socket.end();
				setTimeout(() => socket.destroy(), 1000).unref();
			} else socket.destroy();
		}
		sockets.clear();
	};

	const server = net.createServer((client) => {
		if (!connected) {
			client.destroy();
			return;
		}
		const conn = ++connectionCount;
		open++;
		maxOpen = Math.max(maxOpen, open);
		const readyAt = now() + preset.rttMs;
		const [up_, down_] = [up, down];
		const upstream = net.connect(options.targetPort, options.targetHost ?? '127.0.0.1');
		client.setNoDelay(true);
		upstream.setNoDelay(true);
		sockets.add(client).add(upstream);
		deviceSockets.add(client);
		let closed = false;
		const drop = () => {
			if (closed) return;
			closed = true;
			open--;
			if (connected) client.destroy();
			else {
				// A cut: what was delivered still reaches the device, then the connection ends.
				client.end();
				setTimeout(() => client.destroy(), 1000).unref();
			}
			upstream.destroy();
			sockets.delete(client);
			sockets.delete(upstream);
		};
		client.on('error', drop).on('close', drop);
		upstream.on('error', drop).on('close', drop);

		// Requests on this connection, oldest first, waiting for their response.
		const pending: RequestRecord[] = [];
		const awaitingResponse: RequestRecord[] = [];
		let current: RequestRecord | undefined;
		let responding: RequestRecord | undefined;
		const requests = new HttpFramer({
			onHead: (head) => {
				const [method = '', path = ''] = head.split('\r\n', 1)[0]!.split(' ');
				current = {
					conn,
					method,
					path,
					status: 0,
					start: absolute(),
					end: NaN,
					upBytes: 0,
					downBytes: 0
				};
				log.push(current);
				pending.push(current);
				return {};
			},
			onEnd: () => {
				if (current) awaitingResponse.push(current);
			}
		});
		const responses = new HttpFramer({
			onHead: (head) => {
				responding = awaitingResponse.shift();
				const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(head)?.[1] ?? 0);
				if (responding) responding.status = status;
				const bodyless =
					responding?.method === 'HEAD' || status === 204 || status === 304 || status < 200;
				return { bodyless };
			},
			onEnd: () => {
				if (responding) {
					responding.end = absolute();
					pending.splice(pending.indexOf(responding), 1);
				}
				responding = undefined;
			}
		});

		const relay = (options: {
			from: net.Socket;
			to: net.Socket;
			pacer: Pacer;
			towardsDevice: boolean;
		}) => {
			const { from, to, pacer, towardsDevice } = options;
			// Slices in flight on this connection and direction, in order; one timer drains them, so
			// timer rounding can never reorder bytes of one stream.
			const queue: { arrival: number; slice: Buffer | null }[] = [];
			let timer: ReturnType<typeof setTimeout> | null = null;
			const deliver = (slice: Buffer) => {
				let part = slice;
				if (towardsDevice && cutPlan && downBytes + part.length >= cutPlan.at) {
					part = part.subarray(0, Math.max(0, cutPlan.at - downBytes));
				}
				if (towardsDevice) {
					downBytes += part.length;
					const record = responding ?? awaitingResponse[0];
					if (record) record.downBytes += part.length;
					responses.push(part);
				} else {
					upBytes += part.length;
					const record = pending.at(-1);
					if (record) record.upBytes += part.length;
				}
				to.write(part as Uint8Array);
				if (towardsDevice && cutPlan && downBytes >= cutPlan.at) {
					const { resolve } = cutPlan;
					cutPlan = null;
					cut();
					resolve();
				}
			};
			const drain = () => {
				timer = null;
				while (queue.length > 0 && queue[0]!.arrival <= now() + 0.5) {
					const { slice } = queue.shift()!;
					if (closed || !connected) return;
					if (slice === null) {
						if (towardsDevice) responses.close();
						to.end();
					} else deliver(slice);
				}
				if (queue.length > 0) timer = setTimeout(drain, Math.max(0, queue[0]!.arrival - now()));
			};
			const enqueue = (arrival: number, slice: Buffer | null) => {
				queue.push({ arrival, slice });
				if (timer === null) {
					if (preset.rttMs === 0 && arrival <= now()) drain();
					else timer = setTimeout(drain, Math.max(0, queue[0]!.arrival - now()));
				}
			};
			const flow = pacer.flow({ readyAt: towardsDevice ? 0 : readyAt, arrive: enqueue });
			from.on('close', () => pacer.remove(flow));
			from.on('data', (chunk: Buffer) => {
				// The request's clock starts when the device hands it over, not when it arrives.
				if (!towardsDevice) requests.push(chunk);
				for (let offset = 0; offset < chunk.length; offset += SLICE) {
					pacer.push(flow, chunk.subarray(offset, offset + SLICE));
				}
			});
			from.on('end', () => pacer.push(flow, null));
		};
		relay({ from: client, to: upstream, pacer: up_, towardsDevice: false });
		relay({ from: upstream, to: client, pacer: down_, towardsDevice: true });
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as net.AddressInfo).port;

	return {
		port,
		url: `http://127.0.0.1:${port}`,
		get preset() {
			return preset;
		},
		setPreset(next: LinkPreset) {
			// Takes effect for new connections; open ones are closed so none keeps the old pace.
			for (const socket of sockets) socket.destroy();
			sockets.clear();
			preset = next;
			({ up, down } = pacers(next));
		},
		stats() {
			return {
				requests: log.length,
				connections: connectionCount,
				maxConcurrentConnections: maxOpen,
				upBytes,
				downBytes,
				sequentialRoundTrips: sequentialDepth(log),
				log: [...log]
			};
		},
		resetStats() {
			log = [];
			upBytes = 0;
			downBytes = 0;
			connectionCount = 0;
			maxOpen = open;
		},
		dropConnections() {
			for (const socket of sockets) socket.destroy();
			sockets.clear();
			({ up, down } = pacers(preset));
		},
		cutAfter({ downBytes: bytes }) {
			return new Promise<void>((resolve) => {
				cutPlan = { at: downBytes + bytes, resolve };
			});
		},
		cut,
		restore() {
			connected = true;
			cutPlan = null;
			({ up, down } = pacers(preset));
		},
		close() {
			cut();
			return new Promise((resolve) => server.close(() => resolve()));
		}
	};
}

/**
 * The longest chain of requests in which each one left after the previous one's response had
 * fully arrived: the round trips a sync could not overlap.
 */
export function sequentialDepth(log: readonly RequestRecord[]): number {
	const starts = [...log].sort((a, b) => a.start - b.start);
	const ends = log.filter((r) => Number.isFinite(r.end)).sort((a, b) => a.end - b.end);
	const depth = new Map<RequestRecord, number>();
	let best = 0;
	let completedMax = 0;
	let j = 0;
	for (const request of starts) {
		while (j < ends.length && ends[j]!.end <= request.start) {
			completedMax = Math.max(completedMax, depth.get(ends[j]!) ?? 0);
			j++;
		}
		const d = completedMax + 1;
		depth.set(request, d);
		best = Math.max(best, d);
	}
	return best;
}
