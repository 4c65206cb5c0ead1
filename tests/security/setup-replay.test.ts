import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, uniqueLogin, type TestServer } from '../support/test-server';
import { expectAlive, expectRefused } from './support/attack-log';
import { expectDenied, startOrg, type Org } from './support/org-fixture';

// The first-run setup creates the top unit and its admin without any session: once a unit exists it
// must never work again — not replayed, not raced, not with another unit kind — or anyone could make
// themselves an admin.

let org: Org;
let fresh: TestServer | undefined;

beforeAll(async () => {
	org = await startOrg();
});

afterAll(async () => {
	await expectAlive(org.server.url);
	await org?.server.close();
	if (fresh) {
		await expectAlive(fresh.url);
		await fresh.close();
	}
});

function setupBody(login: string, unitKind = 'tinh-doan') {
	return {
		unitName: 'Tỉnh đoàn Giả',
		unitKind,
		login,
		fullName: 'Kẻ Chiếm Quyền',
		password: 'mat-khau-rat-dai-2026'
	};
}

function postSetup(server: TestServer, body: unknown, cookie?: string): Promise<Response> {
	return server.request('/api/setup', {
		method: 'POST',
		cookie,
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body)
	});
}

describe('the first-run setup, once units exist', () => {
	it('refuses to run again, for an outsider or a signed-in member, for any unit kind', async () => {
		const tries: { label: string; body: unknown; cookie?: string }[] = [
			{ label: 'an outsider', body: setupBody(uniqueLogin('atk')) },
			{ label: 'an outsider, as a commune', body: setupBody(uniqueLogin('atk'), 'doan-xa') },
			{ label: 'a viewer', body: setupBody(uniqueLogin('atk')), cookie: org.cookies.viewerA },
			{
				label: "the existing admin's login",
				body: setupBody(org.logins.provinceAdmin)
			}
		];
		for (const attempt of tries) {
			const res = await postSetup(org.server, attempt.body, attempt.cookie);
			await expectDenied(`setup replay by ${attempt.label}`, res, { statuses: [409] });
			const body = attempt.body as { login: string };
			const signIn = await org.server.request('/api/session', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ login: body.login, password: 'mat-khau-rat-dai-2026' })
			});
			await expectDenied(
				`sign-in with the password of a replayed setup (${attempt.label})`,
				signIn,
				{
					statuses: [401]
				}
			);
		}
		const setup = (await (await org.server.request('/api/setup')).json()) as {
			needsSetup: boolean;
		};
		expect(setup.needsSetup).toBe(false);
		const units = await org.server.provision.listUnits();
		expectRefused('setup replay created no unit', units.length === 5, `${units.length} units`);
	});
});

describe('the first-run setup on a fresh server', () => {
	it('makes exactly one admin when many race for it', async () => {
		fresh = await startTestServer();
		const server = fresh;
		const logins = Array.from({ length: 8 }, () => uniqueLogin('race'));
		const answers = await Promise.all(logins.map((login) => postSetup(server, setupBody(login))));
		const created = answers.filter((res) => res.status === 201).length;
		expectRefused(
			'racing setups make more than one admin',
			created === 1,
			`${created} of ${answers.length} setups answered 201: ${answers.map((res) => res.status).join(',')}`
		);
		const units = await server.provision.listUnits();
		expectRefused(
			'racing setups make more than one top unit',
			units.length === 1,
			`${units.length}`
		);
	});
});
