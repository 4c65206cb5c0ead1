import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	composeMail,
	descendantsOf,
	gapsOf,
	hasGap,
	mailProgress,
	MailDocSchema,
	resolveRecipients,
	vietnamLocalToIso,
	type KnownUnit,
	type MailInput
} from '../../../src/lib/domain/mail';

const ULID = '01HZX3Q8R2M4N6P8S0T2V4W6Y8';
const PARENT_ULID = '01HZX3Q8R2M4N6P8S0T2V4W6Y0';
// Province → two districts → communes; one commune dissolved.
const units: KnownUnit[] = [
	{ id: 'huyena', name: 'Huyện đoàn A', parentId: 'tinhpt', status: 'active' },
	{ id: 'huyenb', name: 'Huyện đoàn B', parentId: 'tinhpt', status: 'active' },
	{ id: 'xaa1', name: 'Đoàn xã A1', parentId: 'huyena', status: 'active' },
	{ id: 'xaa2', name: 'Đoàn xã A2', parentId: 'huyena', status: 'dissolved' },
	{ id: 'xab1', name: 'Đoàn xã B1', parentId: 'huyenb', status: 'active' },
	{ id: 'khac', name: 'Tỉnh khác', parentId: null, status: 'active' }
];
const base = {
	senderId: 'tinhpt',
	senderName: 'Tỉnh đoàn Phú Thọ',
	units,
	ulid: ULID,
	// 14:30 UTC: 21:30 on 7 December in Vietnam.
	now: '2026-12-07T14:30:00.000Z',
	login: 'bithu.tinh'
};
const message: MailInput = {
	kind: 'message',
	mode: 'units',
	recipients: ['xaa1'],
	subject: 'Lịch trực',
	body: 'Nội dung'
};

describe('recipients from what the device knows of the tree', () => {
	it('finds active descendants only, at every depth', () => {
		expect(descendantsOf({ unitId: 'tinhpt', units }).map((u) => u.id)).toEqual([
			'huyena',
			'huyenb',
			'xaa1',
			'xab1'
		]);
	});

	it('resolves "all direct subordinates" and "the whole subtree" into the list the mail names', () => {
		const children = resolveRecipients({
			kind: 'directive',
			mode: 'children',
			chosen: [],
			senderId: 'tinhpt',
			units
		});
		expect(children).toEqual({ ok: true, ids: ['huyena', 'huyenb'] });
		const subtree = resolveRecipients({
			kind: 'meeting',
			mode: 'subtree',
			chosen: [],
			senderId: 'tinhpt',
			units
		});
		expect(subtree).toEqual({ ok: true, ids: ['huyena', 'huyenb', 'xaa1', 'xab1'] });
	});

	it('sends directives and meetings down only; messages also up the chain', () => {
		const up = { chosen: ['tinhpt'], senderId: 'xaa1', units, ancestors: ['huyena', 'tinhpt'] };
		expect(resolveRecipients({ kind: 'directive', mode: 'units', ...up })).toEqual({
			ok: false,
			message: 'Văn bản chỉ đạo chỉ gửi được cho đơn vị cấp dưới.'
		});
		expect(resolveRecipients({ kind: 'message', mode: 'units', ...up })).toEqual({
			ok: true,
			ids: ['tinhpt']
		});
		expect(
			resolveRecipients({
				kind: 'message',
				mode: 'units',
				chosen: ['khac'],
				senderId: 'tinhpt',
				units
			}).ok
		).toBe(false);
		expect(
			resolveRecipients({
				kind: 'meeting',
				mode: 'units',
				chosen: ['xaa2'],
				senderId: 'tinhpt',
				units
			}).ok
		).toBe(false);
	});

	it('refuses none chosen and the sender itself', () => {
		expect(
			resolveRecipients({ kind: 'message', mode: 'units', chosen: [], senderId: 'tinhpt', units })
		).toEqual({
			ok: false,
			message: 'Hãy chọn ít nhất một đơn vị nhận.'
		});
		expect(
			resolveRecipients({
				kind: 'message',
				mode: 'units',
				chosen: ['tinhpt'],
				senderId: 'tinhpt',
				units
			}).ok
		).toBe(false);
	});
});

describe('composeMail', () => {
	it('writes a message the contract accepts, named recipients and its own thread', () => {
		const result = composeMail({ ...base, input: message });
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(v.safeParse(MailDocSchema, result.doc).success).toBe(true);
		expect(result.doc).toMatchObject({
			_id: `mail:${ULID}`,
			kind: 'message',
			recipients: ['xaa1'],
			recipientNames: { xaa1: 'Đoàn xã A1' },
			threadId: ULID,
			fromName: 'Tỉnh đoàn Phú Thọ'
		});
	});

	it('says what is wrong with each field, in Vietnamese', () => {
		const result = composeMail({
			...base,
			input: { ...message, recipients: [], subject: '  ', body: '' }
		});
		expect(result).toEqual({
			ok: false,
			errors: {
				recipients: 'Hãy chọn ít nhất một đơn vị nhận.',
				subject: 'Hãy nhập tiêu đề.',
				body: 'Hãy nhập nội dung tin nhắn.'
			}
		});
	});

	it('checks a directive: its number in the register form, of the type chosen, deadline not past', () => {
		const directive = {
			docType: 'CV' as const,
			number: '15-CV/TĐTN',
			date: '2026-12-07',
			summary: 'V/v tổng kết công tác Đoàn năm 2026',
			deadline: '2026-12-20'
		};
		const ok = composeMail({
			...base,
			input: { ...message, kind: 'directive', mode: 'children', directive }
		});
		expect(ok.ok && ok.doc.directive).toEqual(directive);
		const wrong = composeMail({
			...base,
			input: {
				...message,
				kind: 'directive',
				directive: { ...directive, number: '15-KH/TĐTN', deadline: '2026-12-06' }
			}
		});
		expect(wrong.ok).toBe(false);
		if (wrong.ok) return;
		expect(wrong.errors['directive.number']).toContain('khác loại văn bản đã chọn');
		expect(wrong.errors['directive.deadline']).toBe('Hạn không được trước hôm nay.');
		// Báo cáo (BC) is a type of the register too.
		const report = composeMail({
			...base,
			input: {
				...message,
				kind: 'directive',
				directive: { ...directive, docType: 'BC', number: '03-BC/TĐTN' }
			}
		});
		expect(report.ok && report.doc.directive?.number).toBe('03-BC/TĐTN');
		const unreadable = composeMail({
			...base,
			input: { ...message, kind: 'directive', directive: { ...directive, number: 'mười lăm' } }
		});
		expect(!unreadable.ok && unreadable.errors['directive.number']).toBe(
			'Số văn bản phải có dạng 15-CV/TĐTN.'
		);
	});

	it('takes a meeting time typed in Vietnam and keeps it as the UTC instant', () => {
		const meeting = {
			date: '2026-12-08',
			time: '08:00',
			endTime: '11:30',
			place: 'Hội trường Tỉnh đoàn',
			onlineUrl: '',
			agenda: 'Triển khai nhiệm vụ năm 2027'
		};
		const result = composeMail({ ...base, input: { ...message, kind: 'meeting', meeting } });
		expect(result.ok && result.doc.meeting).toEqual({
			startsAt: '2026-12-08T01:00:00.000Z',
			endsAt: '2026-12-08T04:30:00.000Z',
			place: 'Hội trường Tỉnh đoàn',
			agenda: 'Triển khai nhiệm vụ năm 2027'
		});
		// 21:00 on the 7th in Vietnam is already past at 21:30 there (14:30 UTC), though UTC says 14:00.
		const past = composeMail({
			...base,
			input: {
				...message,
				kind: 'meeting',
				meeting: { ...meeting, date: '2026-12-07', time: '21:00', endTime: '' }
			}
		});
		expect(!past.ok && past.errors['meeting.time']).toBe('Thời gian họp đã qua.');
		const nowhere = composeMail({
			...base,
			input: { ...message, kind: 'meeting', meeting: { ...meeting, place: '', onlineUrl: '' } }
		});
		expect(!nowhere.ok && nowhere.errors['meeting.place']).toBe(
			'Hãy nhập địa điểm họp hoặc đường dẫn họp trực tuyến.'
		);
		const badLink = composeMail({
			...base,
			input: { ...message, kind: 'meeting', meeting: { ...meeting, place: '', onlineUrl: 'zoom' } }
		});
		expect(!badLink.ok && badLink.errors['meeting.onlineUrl']).toBe(
			'Đường dẫn họp trực tuyến phải bắt đầu bằng https://'
		);
		expect(vietnamLocalToIso('2026-02-30', '08:00')).toBeNull();
		expect(vietnamLocalToIso('2026-12-08', '24:00')).toBeNull();
	});

	it('sends a reply to the unit it answers, in the original thread, even one the tree does not show', () => {
		const result = composeMail({
			...base,
			senderId: 'xaa1',
			units: [],
			input: {
				...message,
				recipients: [],
				replyTo: { unitId: 'tinhpt', mailId: ULID, threadId: PARENT_ULID }
			},
			ulid: '01HZX3Q8R2M4N6P8S0T2V4W6Z0'
		});
		expect(result.ok && result.doc).toMatchObject({
			recipients: ['tinhpt'],
			threadId: PARENT_ULID,
			inReplyTo: { unitId: 'tinhpt', mailId: ULID }
		});
	});
});

describe('sent mail status', () => {
	it('shows the furthest step and who has not done what', () => {
		expect(mailProgress(undefined)).toBe('waiting');
		expect(mailProgress({ state: 'refused', reason: 'x' })).toBe('refused');
		const opened = { state: 'delivered' as const, receivedAt: 'a', openedAt: 'b' };
		expect(mailProgress(opened)).toBe('opened');
		expect(mailProgress({ ...opened, acknowledgedAt: 'c' })).toBe('acknowledged');
		expect(hasGap({ kind: 'directive', gap: 'unacknowledged', status: opened })).toBe(true);
		expect(hasGap({ kind: 'directive', gap: 'unopened', status: opened })).toBe(false);
		expect(hasGap({ kind: 'meeting', gap: 'unanswered', status: opened })).toBe(true);
		expect(hasGap({ kind: 'meeting', gap: 'unopened', status: { state: 'refused' } })).toBe(false);
		expect(gapsOf('meeting')).toEqual(['unopened', 'unanswered']);
	});
});

describe('named people', () => {
	it('narrows who in the recipient units the mail is for; logins without spaces', () => {
		const result = composeMail({
			...base,
			input: { ...message, people: [' bithu.xa ', '', 'bithu.xa', 'pho.xa'] }
		});
		expect(result.ok && result.doc.people).toEqual(['bithu.xa', 'pho.xa']);
		const wrong = composeMail({ ...base, input: { ...message, people: ['nguyen van a'] } });
		expect(!wrong.ok && wrong.errors.people).toBe(
			'Mỗi tên tài khoản không có khoảng trắng, không quá 64 ký tự.'
		);
	});
});
