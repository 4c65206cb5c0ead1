import { expect } from 'vitest';
import type { JobView } from '../../server/workers/job-service';
import { fakeUlid } from './member-fixture';
import type { TestServer } from './test-server';

// The organisation API as a test calls it: raw HTTP with a device cookie, JSON both ways.

export interface ApiAnswer<T = unknown> {
	status: number;
	body: T;
}

export const VIETNAMESE = /[ăâđêôơưáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ]/i;

export async function api<T = Record<string, unknown>>(
	server: TestServer,
	path: string,
	options: { cookie?: string; method?: string; body?: unknown } = {}
): Promise<ApiAnswer<T>> {
	const res = await server.request(`/api${path}`, {
		method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
		cookie: options.cookie,
		headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
		body: options.body === undefined ? undefined : JSON.stringify(options.body)
	});
	const text = await res.text();
	return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** A refusal in the shape of docs/architecture.md: status, code, a Vietnamese reason. */
export function expectRefusal(answer: ApiAnswer, status: number, error?: string): void {
	expect({ status: answer.status, body: answer.body }).toMatchObject({
		status,
		body: error ? { error } : {}
	});
	expect((answer.body as { reason?: string }).reason).toMatch(VIETNAMESE);
}

export async function until<T>(
	check: () => Promise<T | undefined | false> | T | undefined | false,
	options: { ms?: number; what?: string } = {}
): Promise<T> {
	const deadline = Date.now() + (options.ms ?? 20_000);
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'it'}`);
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
}

export async function waitForJob(
	server: TestServer,
	options: { cookie: string; id: string; ms?: number }
): Promise<JobView> {
	return until(
		async () => {
			const job = await api<JobView>(server, `/jobs/${encodeURIComponent(options.id)}`, {
				cookie: options.cookie
			});
			expect(job.status).toBe(200);
			return job.body.state === 'done' || job.body.state === 'failed' ? job.body : undefined;
		},
		{ ms: options.ms, what: `job ${options.id}` }
	);
}

/** An immutable history entry (design doc: `history:` id, memberId, kind, at). */
export function historyDoc(options: {
	unitId: string;
	login: string;
	memberId: string;
	kind?: string;
}) {
	const at = new Date().toISOString();
	return {
		// As the domain names them (src/lib/domain/history-schema.ts): the member's ULID, then the entry's.
		_id: `history:${options.memberId.slice('member:'.length)}:${fakeUlid()}`,
		type: 'history',
		v: 1,
		unitId: options.unitId,
		memberId: options.memberId,
		kind: options.kind ?? 'admission',
		at,
		createdAt: at,
		createdBy: options.login,
		updatedAt: at,
		updatedBy: options.login
	};
}

export function branchDoc(options: { unitId: string; login: string; name: string }) {
	const at = new Date().toISOString();
	return {
		_id: `branch:${options.unitId}-${fakeUlid().slice(-8).toLowerCase()}`,
		type: 'branch',
		v: 2,
		unitId: options.unitId,
		name: options.name,
		kind: 'khu-dan-cu',
		status: 'active',
		nameHistory: [{ name: options.name, from: at, by: options.login }],
		createdAt: at,
		createdBy: options.login,
		updatedAt: at,
		updatedBy: options.login
	};
}
