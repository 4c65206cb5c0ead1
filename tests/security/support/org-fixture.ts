import http from 'node:http';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import type { ServerOptions } from '../../../server/site/doanvu-server';
import type { UnitRecord } from '../../../server/couch/provision-service';
import { historyDoc } from '../../support/org-api';
import { memberDoc, type TestMember } from '../../support/member-fixture';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createProvince } from '../../support/org-setup';
import { expect } from 'vitest';
import { recordAttack } from './attack-log';

// The organisation every attack file starts from, signed in once per file: a province with two
// communes (A with a secretary, a deputy and a viewer; B with a secretary) and a school unit, plus an
// unrelated second province. Each unit database holds a member whose name carries a marker unique to
// that unit, so an answer that leaks another unit's data is recognised whatever its status.

export type Actor =
	| 'provinceAdmin'
	| 'secretaryA'
	| 'deputyA'
	| 'viewerA'
	| 'secretaryB'
	| 'schoolSecretary'
	| 'otherAdmin';

export type UnitKey = 'province' | 'communeA' | 'communeB' | 'school' | 'otherProvince';

export interface SeededUnit {
	unit: UnitRecord;
	/** A member in the unit's database (written by the unit's own manager). */
	member: TestMember & { _rev: string };
	/** An immutable history entry of that member. */
	historyId: string;
	/** Text that appears only in this unit's documents. */
	marker: string;
}

export interface Org {
	server: TestServer;
	units: Record<UnitKey, SeededUnit>;
	cookies: Record<Actor, string>;
	logins: Record<Actor, string>;
	passwords: Record<Actor, string>;
	deviceIds: Record<Actor, string>;
	/** The unit each actor belongs to. */
	homes: Record<Actor, UnitKey>;
}

const HOMES: Record<Actor, UnitKey> = {
	provinceAdmin: 'province',
	secretaryA: 'communeA',
	deputyA: 'communeA',
	viewerA: 'communeA',
	secretaryB: 'communeB',
	schoolSecretary: 'school',
	otherAdmin: 'otherProvince'
};

/** Which unit databases each actor must not reach (everything outside its own subtree). */
export const FOREIGN: Record<Actor, UnitKey[]> = {
	provinceAdmin: ['otherProvince'],
	secretaryA: ['province', 'communeB', 'school', 'otherProvince'],
	deputyA: ['province', 'communeB', 'school', 'otherProvince'],
	viewerA: ['province', 'communeB', 'school', 'otherProvince'],
	secretaryB: ['province', 'communeA', 'school', 'otherProvince'],
	schoolSecretary: ['province', 'communeA', 'communeB', 'otherProvince'],
	otherAdmin: ['province', 'communeA', 'communeB', 'school']
};

export async function startOrg(options: ServerOptions = {}): Promise<Org> {
	const server = await startTestServer(options);
	const province = await createProvince(server, 'Tỉnh đoàn Thử');
	const other = await createProvince(server, 'Tỉnh đoàn Khác');
	const a = await server.createUnitWithAccount({ parentId: province.unit.id, name: 'Đoàn xã A' });
	const b = await server.createUnitWithAccount({ parentId: province.unit.id, name: 'Đoàn xã B' });
	const school = await server.createUnitWithAccount({
		kind: 'doan-truong',
		parentId: province.unit.id,
		name: 'Đoàn trường Thử'
	});
	const deputy = await server.createAccountIn({ unitId: a.unit.id, role: 'deputy' });
	const viewer = await server.createAccountIn({ unitId: a.unit.id, role: 'viewer' });
	const accounts: Record<Actor, { login: string; password: string }> = {
		provinceAdmin: province,
		secretaryA: a,
		deputyA: deputy,
		viewerA: viewer,
		secretaryB: b,
		schoolSecretary: school,
		otherAdmin: other
	};
	const cookies = {} as Record<Actor, string>;
	const logins = {} as Record<Actor, string>;
	const passwords = {} as Record<Actor, string>;
	const deviceIds = {} as Record<Actor, string>;
	for (const [actor, account] of Object.entries(accounts) as [Actor, typeof province][]) {
		const { cookie, session } = await server.signIn(account);
		cookies[actor] = cookie;
		logins[actor] = account.login;
		passwords[actor] = account.password;
		deviceIds[actor] = session.device.id;
	}

	const seed = async (unit: UnitRecord, writer: Actor): Promise<SeededUnit> => {
		const marker = `Dấu${randomBytes(4).toString('hex')}`;
		const member = memberDoc({ unitId: unit.id, login: logins[writer], givenName: marker });
		const history = historyDoc({ unitId: unit.id, login: logins[writer], memberId: member._id });
		const res = await couch(server, `/${unit.db}/_bulk_docs`, {
			cookie: cookies[writer],
			method: 'POST',
			body: { docs: [member, history] }
		});
		const results = (await res.json()) as { id: string; rev?: string; error?: string }[];
		const rev = results[0]?.rev;
		if (res.status !== 201 || !rev || results[1]?.error) {
			throw new Error(`seeding ${unit.db} failed: ${res.status} ${JSON.stringify(results)}`);
		}
		return { unit, member: { ...member, _rev: rev }, historyId: history._id, marker };
	};
	const units: Record<UnitKey, SeededUnit> = {
		province: await seed(province.unit, 'provinceAdmin'),
		communeA: await seed(a.unit, 'secretaryA'),
		communeB: await seed(b.unit, 'secretaryB'),
		school: await seed(school.unit, 'schoolSecretary'),
		otherProvince: await seed(other.unit, 'otherAdmin')
	};
	return { server, units, cookies, logins, passwords, deviceIds, homes: HOMES };
}

/** A request to /couch<path> through fetch (which normalises the path as a browser would). */
export function couch(
	server: TestServer,
	path: string,
	options: {
		cookie?: string;
		method?: string;
		body?: unknown;
		headers?: Record<string, string>;
		timeoutMs?: number;
	} = {}
): Promise<Response> {
	const raw = typeof options.body === 'string' || options.body instanceof Uint8Array;
	return server.request(`/couch${path}`, {
		method: options.method ?? 'GET',
		cookie: options.cookie,
		headers: {
			...(options.body === undefined || raw ? {} : { 'content-type': 'application/json' }),
			...options.headers
		},
		body:
			options.body === undefined
				? undefined
				: raw
					? (options.body as string)
					: JSON.stringify(options.body),
		// A live feed let through would otherwise hold the test until its own timeout.
		signal: AbortSignal.timeout(options.timeoutMs ?? 10_000)
	});
}

export interface RawAnswer {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: string;
}

/**
 * A request whose path goes on the wire exactly as written: fetch and URL would resolve `..`,
 * `%2e%2e` and backslashes before sending, which is what an attacker's own client does not do.
 */
export function rawRequest(
	server: TestServer,
	path: string,
	options: {
		cookie?: string;
		method?: string;
		/** An array is sent chunk by chunk without a length (chunked transfer encoding). */
		body?: string | Uint8Array | Uint8Array[];
		headers?: Record<string, string>;
		timeoutMs?: number;
	} = {}
): Promise<RawAnswer> {
	const url = new URL(server.url);
	return new Promise((resolve, reject) => {
		const req = http.request(
			{
				host: url.hostname,
				port: url.port,
				method: options.method ?? 'GET',
				path,
				agent: false,
				headers: {
					...(options.cookie ? { cookie: options.cookie } : {}),
					...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
					...options.headers
				},
				timeout: options.timeoutMs ?? 10_000
			},
			(res) => {
				const decoder = new TextDecoder();
				let body = '';
				res.on('data', (chunk: Buffer) => (body += decoder.decode(chunk, { stream: true })));
				res.on('end', () =>
					resolve({
						status: res.statusCode ?? 0,
						headers: res.headers,
						body: body + decoder.decode()
					})
				);
				res.on('error', reject);
			}
		);
		req.on('timeout', () => req.destroy(new Error(`no answer to ${path} in time`)));
		req.on('error', reject);
		if (Array.isArray(options.body)) {
			for (const chunk of options.body) req.write(chunk);
			req.end();
		} else req.end(options.body);
	});
}

/** A connection the server cut while the body was still being sent: the body was not taken. */
export const CUT = 0;

/** rawRequest, with a connection cut by the server answered as status CUT instead of an error. */
export function rawOrCut(...args: Parameters<typeof rawRequest>): Promise<RawAnswer> {
	return rawRequest(...args).catch((error: unknown) => ({
		status: CUT,
		headers: {},
		body: `connection cut: ${String(error)}`
	}));
}

/**
 * Records an attempt that must be refused: a 4xx (or one of `statuses`) and none of `secrets` (other
 * units' markers) anywhere in the answer, whatever its status.
 */
export async function expectDenied(
	name: string,
	answer: Response | RawAnswer,
	options: { statuses?: number[]; secrets?: string[] } = {}
): Promise<void> {
	const body = answer instanceof Response ? await answer.text().catch(() => '') : answer.body;
	const statusOk = options.statuses
		? options.statuses.includes(answer.status)
		: answer.status >= 400 && answer.status < 500;
	const leaked = (options.secrets ?? []).filter((secret) => body.includes(secret));
	const refused = statusOk && leaked.length === 0;
	const detail = `HTTP ${answer.status}${leaked.length ? ` leaked ${leaked.join(', ')}` : ''} ${body.slice(0, 200)}`;
	recordAttack({ name, refused, detail });
	// Soft: one attempt that gets through must not hide the rest of a matrix.
	expect.soft(refused, `${name} was not refused: ${detail}`).toBe(true);
}

/** Reads a document as the unit's own secretary (or admin): what the unit really holds. */
/** A document's path as PouchDB writes it: `_design/` and `_local/` prefixes stay unencoded. */
function docPath(id: string): string {
	const prefix = ['_design/', '_local/'].find((p) => id.startsWith(p));
	return prefix ? prefix + encodeURIComponent(id.slice(prefix.length)) : encodeURIComponent(id);
}

export async function readAsOwner(
	org: Org,
	unit: UnitKey,
	id: string,
	query = ''
): Promise<{ status: number; doc: Record<string, unknown> }> {
	const owner = (Object.keys(HOMES) as Actor[]).find(
		(actor) =>
			HOMES[actor] === unit &&
			(actor.startsWith('secretary') || actor.endsWith('Admin') || actor === 'schoolSecretary')
	);
	if (!owner) throw new Error(`no owner for ${unit}`);
	const res = await couch(org.server, `/${org.units[unit].unit.db}/${docPath(id)}${query}`, {
		cookie: org.cookies[owner]
	});
	return { status: res.status, doc: (await res.json()) as Record<string, unknown> };
}

/** Runs attempts a few at a time: fast, without flooding a shared 2-core machine. */
export async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>) {
	for (let i = 0; i < items.length; i += size) {
		await Promise.all(items.slice(i, i + size).map(run));
	}
}

/**
 * Bytes straight onto a TCP connection (for lying headers that no HTTP client would send): what the
 * server wrote back before it closed the connection or `waitMs` passed.
 */
export function rawSocket(
	server: TestServer,
	chunks: string[],
	/** `settleMs`: stop that long after the first byte back instead of waiting for `waitMs`. */
	options: { waitMs?: number; pauseMs?: number; settleMs?: number } = {}
): Promise<{ text: string; firstByteMs: number | undefined }> {
	const url = new URL(server.url);
	const started = Date.now();
	return new Promise((resolve) => {
		const decoder = new TextDecoder();
		let text = '';
		let firstByteMs: number | undefined;
		const socket = net.connect({ host: url.hostname, port: Number(url.port) });
		const done = () => {
			clearTimeout(timer);
			socket.destroy();
			resolve({ text: text + decoder.decode(), firstByteMs });
		};
		const timer = setTimeout(done, options.waitMs ?? 5000);
		socket.on('data', (chunk: Buffer) => {
			if (firstByteMs === undefined && options.settleMs !== undefined) {
				setTimeout(done, options.settleMs);
			}
			firstByteMs ??= Date.now() - started;
			text += decoder.decode(chunk, { stream: true });
		});
		socket.on('close', done);
		socket.on('error', done);
		socket.on('connect', async () => {
			for (const chunk of chunks) {
				if (socket.destroyed) break;
				socket.write(chunk);
				if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
			}
		});
	});
}
