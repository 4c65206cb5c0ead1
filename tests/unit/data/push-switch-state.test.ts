import { describe, expect, it } from 'vitest';
import {
	PUSH_STATE_LABELS,
	pushSupported,
	pushSwitchState
} from '../../../src/lib/data/device/push-subscription';

// The "Thông báo khi có thư mới" switch (docs/decisions/0022-web-push.md): what it shows for what the
// browser says. The browser's own side (its permission prompt, a real push service) cannot run on
// the test machines; this is the part that decides what the user reads.

describe('the push switch', () => {
	it('is on only with a subscription and the permission granted', () => {
		expect(pushSwitchState({ supported: true, permission: 'granted', subscribed: true })).toBe('on');
		expect(pushSwitchState({ supported: true, permission: 'granted', subscribed: false })).toBe(
			'off'
		);
		// A subscription left behind after the permission was taken back is not "on".
		expect(pushSwitchState({ supported: true, permission: 'default', subscribed: true })).toBe(
			'off'
		);
		expect(pushSwitchState({ supported: true, permission: 'default', subscribed: false })).toBe(
			'off'
		);
	});

	it('says blocked when the browser settings deny notifications, unsupported without the API', () => {
		expect(pushSwitchState({ supported: true, permission: 'denied', subscribed: true })).toBe(
			'blocked'
		);
		expect(pushSwitchState({ supported: false, permission: 'granted', subscribed: true })).toBe(
			'unsupported'
		);
		expect(pushSwitchState({ supported: false, permission: undefined, subscribed: false })).toBe(
			'unsupported'
		);
	});

	it('is hidden where there is no Push API (Node has none)', () => {
		expect(pushSupported()).toBe(false);
	});

	it('tells each state in Vietnamese', () => {
		expect(PUSH_STATE_LABELS.on).toMatch(/bật/);
		expect(PUSH_STATE_LABELS.off).toMatch(/tắt/);
		expect(PUSH_STATE_LABELS.unsupported).toMatch(/không hỗ trợ/);
		expect(PUSH_STATE_LABELS.blocked).toMatch(/chặn trong cài đặt trình duyệt/);
	});
});
