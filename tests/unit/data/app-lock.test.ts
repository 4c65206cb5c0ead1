import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
	appLock,
	LOCK_AFTER_MS,
	MAX_PASSWORD_FAILURES,
	MAX_PIN_FAILURES
} from '../../../src/lib/data/device/app-lock.svelte';
import { deviceDb } from '../../../src/lib/data/store/device-db';

// Offline unlock: the PIN and the password are checked on the device; a lost phone guessed at too
// often loses the PIN, then its unit data.

const login = 'bithu.thanhson';

async function lockedSession(onWipe = vi.fn(async () => {})) {
	await appLock.rememberPassword({ login, password: 'mat-khau-dai' });
	vi.setSystemTime(Date.now() + LOCK_AFTER_MS + 1000);
	await appLock.restore({ login, onWipe });
	return onWipe;
}

beforeEach(async () => {
	vi.useRealTimers();
	await deviceDb.settings.clear();
	await appLock.forget();
	vi.useFakeTimers({ toFake: ['Date'] });
});

describe('app lock', () => {
	it('stays open after a short pause and locks after a long one', async () => {
		await appLock.rememberPassword({ login, password: 'mat-khau-dai' });
		await appLock.restore({ login, onWipe: async () => {} });
		expect(appLock.locked).toBe(false);
		await lockedSession();
		expect(appLock.locked).toBe(true);
	});

	it('unlocks with the password, offline, and not with a wrong one', async () => {
		await lockedSession();
		const wrong = await appLock.unlockWithPassword('sai');
		expect(wrong.ok).toBe(false);
		expect(appLock.locked).toBe(true);
		expect((await appLock.unlockWithPassword('mat-khau-dai')).ok).toBe(true);
		expect(appLock.locked).toBe(false);
	});

	it('refuses easy PINs and unlocks with a good one', async () => {
		await appLock.rememberPassword({ login, password: 'mat-khau-dai' });
		expect(await appLock.setPin('1234')).toMatch(/dễ đoán/);
		expect(await appLock.setPin('0000')).toMatch(/dễ đoán/);
		expect(await appLock.setPin('12a4')).toMatch(/4 đến 8 chữ số/);
		expect(await appLock.setPin('2580')).toBeNull();
		await lockedSession();
		expect(appLock.hasPin).toBe(true);
		expect((await appLock.unlockWithPin('2580')).ok).toBe(true);
	});

	it(`turns the PIN off after ${MAX_PIN_FAILURES} wrong tries; the password still works`, async () => {
		await appLock.rememberPassword({ login, password: 'mat-khau-dai' });
		await appLock.setPin('2580');
		await lockedSession();
		for (let i = 1; i < MAX_PIN_FAILURES; i++) {
			const r = await appLock.unlockWithPin('1111');
			expect(r.ok).toBe(false);
		}
		const last = await appLock.unlockWithPin('1111');
		expect(last).toMatchObject({ ok: false, pinDisabled: true });
		expect(appLock.hasPin).toBe(false);
		expect((await appLock.unlockWithPin('2580')).ok).toBe(false);
		expect((await appLock.unlockWithPassword('mat-khau-dai')).ok).toBe(true);
	});

	it(`wipes the device after ${MAX_PASSWORD_FAILURES} wrong passwords`, async () => {
		const onWipe = await lockedSession();
		for (let i = 1; i < MAX_PASSWORD_FAILURES; i++) {
			expect((await appLock.unlockWithPassword('sai')).ok).toBe(false);
		}
		expect(onWipe).not.toHaveBeenCalled();
		const last = await appLock.unlockWithPassword('sai');
		expect(last).toMatchObject({ ok: false, wiped: true });
		expect(onWipe).toHaveBeenCalledOnce();
	});

	it('a new sign-in by another account does not inherit the PIN', async () => {
		await appLock.rememberPassword({ login, password: 'mat-khau-dai' });
		await appLock.setPin('2580');
		await appLock.rememberPassword({ login: 'phobithu', password: 'khac-hoan-toan' });
		expect(appLock.hasPin).toBe(false);
	});
});

describe('locking by hand', () => {
	it('stays locked across a restart until unlocked', async () => {
		await appLock.rememberPassword({ login, password: 'mat-khau-dai' });
		await appLock.lock();
		await appLock.restore({ login, onWipe: async () => {} });
		expect(appLock.locked).toBe(true);
		expect((await appLock.unlockWithPassword('mat-khau-dai')).ok).toBe(true);
		await appLock.restore({ login, onWipe: async () => {} });
		expect(appLock.locked).toBe(false);
	});
});
