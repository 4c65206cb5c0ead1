import { describe, expect, it } from 'vitest';
import { isUnitOwned } from '../../../server/workers/doc-copier';
import { mailRecipientRefusal } from '../../../server/workers/mail-recipients';
import { withReceipt, withReply } from '../../../server/workers/mail-status';
import type { MailReceiptDoc, MailRecipientStatus } from '../../../src/lib/domain/mail';

// Who a mail may reach (ADR 0021) and how a receipt is carried into the sender's status: plain
// functions the write guard and the post office share.

const province = { id: 'tinh', ancestors: [] as string[], status: 'active' as const };
const commune = { id: 'xaaa', ancestors: ['tinh'], status: 'active' as const };
const sibling = { id: 'xabb', ancestors: ['tinh'], status: 'active' as const };
const village = { id: 'chia', ancestors: ['tinh', 'xaaa'], status: 'active' as const };

describe('mailRecipientRefusal', () => {
	it('lets directives and meetings go down only', () => {
		for (const kind of ['directive', 'meeting'] as const) {
			expect(mailRecipientRefusal({ kind, sender: province, recipient: village })).toBeUndefined();
			expect(mailRecipientRefusal({ kind, sender: commune, recipient: province })).toMatch(
				/trực thuộc/
			);
			expect(mailRecipientRefusal({ kind, sender: commune, recipient: sibling })).toMatch(
				/trực thuộc/
			);
		}
	});

	it('lets messages go up or down the chain, never sideways', () => {
		expect(mailRecipientRefusal({ kind: 'message', sender: village, recipient: province })).toBe(
			undefined
		);
		expect(mailRecipientRefusal({ kind: 'message', sender: province, recipient: village })).toBe(
			undefined
		);
		expect(mailRecipientRefusal({ kind: 'message', sender: commune, recipient: sibling })).toBe(
			'Tin nhắn chỉ gửi cho đơn vị cấp trên hoặc các đơn vị trực thuộc.'
		);
	});

	it('refuses itself, an unknown unit and a merged or dissolved one', () => {
		expect(mailRecipientRefusal({ kind: 'message', sender: commune, recipient: commune })).toMatch(
			/chính đơn vị/
		);
		expect(
			mailRecipientRefusal({ kind: 'message', sender: commune, recipient: undefined })
		).toMatch(/Không tìm thấy/);
		expect(
			mailRecipientRefusal({
				kind: 'directive',
				sender: province,
				recipient: { ...commune, status: 'merged' }
			})
		).toMatch(/giải thể hoặc hợp nhất/);
	});
});

describe('withReceipt', () => {
	const delivered: MailRecipientStatus = {
		state: 'delivered',
		deliveredAt: '2026-12-07T01:00:00Z'
	};
	const receipt = (extra: Partial<MailReceiptDoc>): MailReceiptDoc => ({
		_id: 'mail-receipt:tinh:01J0000000000000000000ABCD',
		type: 'mail-receipt',
		v: 1,
		unitId: 'xaaa',
		mailId: '01J0000000000000000000ABCD',
		fromUnitId: 'tinh',
		receivedAt: '2026-12-07T02:00:00Z',
		createdAt: '2026-12-07T02:00:00Z',
		createdBy: 'bt',
		updatedAt: '2026-12-07T02:00:00Z',
		updatedBy: 'bt',
		...extra
	});

	it('records the first times and never moves them', () => {
		const first = withReceipt(
			delivered,
			receipt({ openedAt: '2026-12-07T03:00:00Z', openedBy: 'bt' })
		);
		expect(first).toMatchObject({ receivedAt: '2026-12-07T02:00:00Z', openedBy: 'bt' });
		const later = withReceipt(
			first,
			receipt({
				receivedAt: '2026-12-08T00:00:00Z',
				openedAt: '2026-12-08T00:00:00Z',
				openedBy: 'pbt'
			})
		);
		expect(later).toBe(first);
	});

	it('follows the latest meeting answer, and keeps the first reply time', () => {
		const answered = withReceipt(
			delivered,
			receipt({ response: { answer: 'attending', at: '2026-12-07T04:00:00Z', by: 'bt' } })
		);
		const changed = withReceipt(
			answered,
			receipt({
				response: { answer: 'absent', reason: 'Trùng lịch', at: '2026-12-07T05:00:00Z', by: 'bt' }
			})
		);
		expect(changed.response?.answer).toBe('absent');
		const replied = withReply(changed, '2026-12-07T06:00:00Z');
		expect(withReply(replied, '2026-12-09T00:00:00Z')).toBe(replied);
		expect(withReceipt(replied, receipt({ repliedAt: '2026-12-08T00:00:00Z' }))).toMatchObject({
			repliedAt: '2026-12-07T06:00:00Z'
		});
	});
});

describe('a merge', () => {
	it("copies none of a unit's mail documents (they would be sent again in the survivor's name)", () => {
		const ulid = '01J0000000000000000000ABCD';
		for (const id of [
			`mail:${ulid}`,
			`mail-received:tinh:${ulid}`,
			`mail-receipt:tinh:${ulid}`,
			`mail-status:${ulid}`,
			`meeting-attendance:${ulid}`
		]) {
			expect(isUnitOwned(id), id).toBe(true);
		}
		expect(isUnitOwned(`member:${ulid}`)).toBe(false);
	});
});
