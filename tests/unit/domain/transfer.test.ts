import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	DEFAULT_UNION_RULES,
	MEMBER_STATUSES,
	TRANSFER_TRANSITIONS,
	TransferDocSchema,
	buildTransferOffer,
	canChangeStatus,
	canChangeTransferState,
	isTransferOverdue,
	planBranchMove,
	planTransferAcceptance,
	planTransferOutcome,
	planTransferRejection,
	planTransferRequest,
	transferIdOfEntry,
	type HistoryOf,
	type MemberDoc,
	type TransferDoc
} from '$lib/domain';
import { context, errorsOf, member, planOf } from './operation-fixtures';

const SENDER = context();
const RECEIVER = context({
	actor: { login: 'bithu.thucluyen', unitId: 'xathucluyen' },
	now: '2025-12-02T03:00:00.000Z',
	today: '2025-12-02'
});

function request(who: MemberDoc = member()) {
	return planTransferRequest({
		...context(),
		member: who,
		input: {
			toUnitId: 'xathucluyen',
			toUnitName: 'Đoàn xã Thục Luyện',
			on: '25/11/2025',
			reason: 'Chuyển nơi làm việc',
			assessment: 'Hoàn thành tốt nhiệm vụ, nhiệt tình.'
		}
	});
}

function requested() {
	const plan = planOf(request());
	return {
		member: plan.member as MemberDoc,
		entry: plan.entries[0] as HistoryOf<'transfer-requested'>
	};
}

function offer(): TransferDoc {
	const { member: sent, entry } = requested();
	return buildTransferOffer({
		request: entry,
		member: sent,
		fromUnitName: 'Đoàn xã Thanh Sơn',
		now: '2025-11-29T00:00:00.000Z',
		by: 'doanvu-worker'
	});
}

describe('member status transitions', () => {
	it('allows exactly the changes the operations make', () => {
		expect(canChangeStatus({ from: 'active', to: 'transferring' })).toBe(true);
		expect(canChangeStatus({ from: 'transferring', to: 'transferred' })).toBe(true);
		expect(canChangeStatus({ from: 'transferring', to: 'active' })).toBe(true);
		expect(canChangeStatus({ from: 'transferring', to: 'transferring' })).toBe(false);
		expect(canChangeStatus({ from: 'active', to: 'transferred' })).toBe(false);
		for (const to of MEMBER_STATUSES) {
			for (const from of ['transferred', 'matured', 'removed', 'expelled', 'deceased'] as const) {
				expect(canChangeStatus({ from, to })).toBe(false);
			}
		}
	});

	it('moves a transfer from requested to pending to accepted or rejected, never back', () => {
		expect(TRANSFER_TRANSITIONS).toEqual({
			requested: ['pending'],
			pending: ['accepted', 'rejected'],
			accepted: [],
			rejected: []
		});
		expect(canChangeTransferState({ from: 'pending', to: 'accepted' })).toBe(true);
		expect(canChangeTransferState({ from: 'accepted', to: 'rejected' })).toBe(false);
		expect(canChangeTransferState({ from: 'requested', to: 'accepted' })).toBe(false);
	});
});

describe('planBranchMove: between branches of one unit, one step', () => {
	const move = (who: MemberDoc, toBranchId: string) =>
		planBranchMove({
			...context(),
			member: who,
			input: { toBranchId, on: '20/11/2025' },
			branchIds: ['branch:xathanhsonkhu3', 'branch:xathanhsonkhu5']
		});

	it('changes the branch and records where from', () => {
		const plan = planOf(move(member(), 'branch:xathanhsonkhu5'));
		expect(plan.member?.branchId).toBe('branch:xathanhsonkhu5');
		expect(plan.member?.status).toBe('active');
		expect(plan.entries[0]).toMatchObject({
			kind: 'branch-move',
			at: '2025-11-20',
			data: { fromBranchId: 'branch:xathanhsonkhu3', toBranchId: 'branch:xathanhsonkhu5' },
			effect: {
				before: { branchId: 'branch:xathanhsonkhu3' },
				after: { branchId: 'branch:xathanhsonkhu5' }
			}
		});
	});

	it('refuses the same branch, an unknown one and a member not active', () => {
		expect(errorsOf(move(member(), 'branch:xathanhsonkhu3')).toBranchId).toContain(
			'đang sinh hoạt ở chi đoàn này'
		);
		expect(errorsOf(move(member(), 'branch:khac')).toBranchId).toBe(
			'Chi đoàn chuyển đến không có trong đơn vị.'
		);
		expect(errorsOf(move(member({ status: 'matured' }), 'branch:xathanhsonkhu5')).form).toBe(
			'Không thể chuyển chi đoàn: đoàn viên đang ở trạng thái "Trưởng thành", chỉ làm được với ' +
				'đoàn viên đang sinh hoạt.'
		);
	});
});

describe('planTransferRequest: the sending unit', () => {
	it('marks the member transferring, with where to, and records the request', () => {
		const { member: sent, entry } = requested();
		expect(sent).toMatchObject({
			status: 'transferring',
			statusSince: '2025-11-25',
			transfer: {
				id: '01HZZ000000000000000000001',
				toUnitId: 'xathucluyen',
				toUnitName: 'Đoàn xã Thục Luyện',
				requestedOn: '2025-11-25'
			}
		});
		expect(entry).toMatchObject({
			_id: 'history:01JD3X4N5P6Q7R8S9T0V1W2X3Y:01HZZ000000000000000000001-requested',
			kind: 'transfer-requested',
			data: {
				transferId: '01HZZ000000000000000000001',
				assessment: 'Hoàn thành tốt nhiệm vụ, nhiệt tình.',
				duesPaidThrough: '2025-11'
			}
		});
		expect(transferIdOfEntry(entry._id)).toBe('01HZZ000000000000000000001');
	});

	it('stamps the changed fields for the merge with the revision they were changed on', () => {
		const { member: sent } = requested();
		expect(sent.fieldRevs?.status).toEqual({
			rev: '3-aaa',
			at: '2025-11-28T03:00:00.000Z',
			by: 'bithu.thanhson'
		});
		expect(Object.keys(sent.fieldRevs ?? {}).sort()).toEqual(['status', 'statusSince', 'transfer']);
	});

	it('needs dues paid up to the month of the transfer', () => {
		expect(errorsOf(request(member({ duesPaidThrough: '2025-10' }))).duesPaidThrough).toBe(
			'Đoàn phí: phải đóng đến hết tháng chuyển sinh hoạt (11/2025) trước khi chuyển; mới đóng ' +
				'đến tháng 10/2025.'
		);
		expect(errorsOf(request(member({ duesPaidThrough: undefined }))).duesPaidThrough).toContain(
			'chưa ghi lần đóng nào'
		);
		expect(request(member({ duesPaidThrough: '2025-12' })).ok).toBe(true);
	});

	it('refuses a member already transferring: no second transfer', () => {
		const { member: sent } = requested();
		expect(errorsOf(request(sent)).form).toBe(
			'Không thể chuyển sinh hoạt: đoàn viên đang chuyển sinh hoạt đến Đoàn xã Thục Luyện, chờ ' +
				'đơn vị nhận trả lời (nhận hoặc từ chối).'
		);
	});

	it.each(['transferred', 'matured', 'removed', 'expelled', 'deceased'] as const)(
		'refuses a member whose status is %s',
		(status) => {
			expect(errorsOf(request(member({ status }))).form).toContain(
				'chỉ làm được với đoàn viên đang sinh hoạt'
			);
		}
	);

	it('refuses the own unit and asks for the assessment', () => {
		const errors = errorsOf(
			planTransferRequest({
				...context(),
				member: member(),
				input: { toUnitId: 'xathanhson', toUnitName: 'Đoàn xã Thanh Sơn', on: '25/11/2025' }
			})
		);
		expect(errors.toUnitId).toContain('là chính đơn vị đang sinh hoạt');
		expect(errors.assessment).toBe('Nhận xét của chi đoàn không được để trống.');
	});
});

describe('the offer in the receiving unit', () => {
	it('is deterministic and valid', () => {
		const a = offer();
		const b = offer();
		expect(a).toEqual(b);
		expect(v.safeParse(TransferDocSchema, a).success).toBe(true);
		expect(a).toMatchObject({
			_id: 'transfer:01HZZ000000000000000000001',
			unitId: 'xathucluyen',
			fromUnitId: 'xathanhson',
			state: 'pending',
			requestedOn: '2025-11-25'
		});
		expect(a.member).not.toHaveProperty('fieldRevs');
		expect(a.member.familyName).toBe('Hà');
	});

	it('has no deadline unless the rules set one', () => {
		const pending = offer();
		expect(isTransferOverdue({ offer: pending, today: '2030-01-01' })).toBe(false);
		const rules = { ...DEFAULT_UNION_RULES, version: 3, transferDeadlineDays: 30 };
		expect(isTransferOverdue({ offer: pending, today: '2025-12-25', rules })).toBe(false);
		expect(isTransferOverdue({ offer: pending, today: '2025-12-26', rules })).toBe(true);
	});
});

describe('planTransferAcceptance and planTransferRejection: the receiving unit', () => {
	const accept = (o: TransferDoc, branchId = 'branch:xathucluyenthon2', on = '01/12/2025') =>
		planTransferAcceptance({
			...RECEIVER,
			offer: o,
			input: { branchId, on },
			branchIds: ['branch:xathucluyenthon2']
		});

	it('creates the member there, active in the branch, same id, without the old office', () => {
		const o = { ...offer(), member: { ...offer().member, unionPosition: 'Bí thư chi đoàn' } };
		const plan = planOf(accept(o));
		expect(plan.member).toMatchObject({
			_id: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3Y',
			unitId: 'xathucluyen',
			status: 'active',
			statusSince: '2025-12-01',
			branchId: 'branch:xathucluyenthon2',
			joinedOn: '2020-03-26',
			duesPaidThrough: '2025-11',
			fieldRevs: {},
			createdBy: 'bithu.thucluyen'
		});
		expect(plan.member).not.toHaveProperty('transfer');
		expect(plan.member).not.toHaveProperty('unionPosition');
		expect(plan.member).not.toHaveProperty('_rev');
		expect(plan.entries[0]).toMatchObject({
			_id: 'history:01JD3X4N5P6Q7R8S9T0V1W2X3Y:01HZZ000000000000000000001-in',
			kind: 'transfer-in',
			unitId: 'xathucluyen',
			data: { fromUnitId: 'xathanhson', fromUnitName: 'Đoàn xã Thanh Sơn' }
		});
		const result = accept(o);
		expect(result.ok && result.plan.offer).toMatchObject({
			state: 'accepted',
			decidedOn: '2025-12-01',
			decidedBy: 'bithu.thucluyen',
			branchId: 'branch:xathucluyenthon2'
		});
	});

	it('writes the same documents when done twice (idempotent ids)', () => {
		const once = planOf(accept(offer()));
		const twice = planOf(accept(offer()));
		expect(twice.entries[0]?._id).toBe(once.entries[0]?._id);
		expect(twice.member?._id).toBe(once.member?._id);
	});

	it('refuses an offer already answered, another unit, a date before the request, a missing branch', () => {
		const answered = { ...offer(), state: 'accepted' as const, decidedOn: '2025-12-01' };
		expect(errorsOf(accept(answered)).form).toBe(
			'Đề nghị chuyển sinh hoạt này đã được tiếp nhận ngày 01/12/2025.'
		);
		const rejected = { ...offer(), state: 'rejected' as const };
		expect(errorsOf(accept(rejected)).form).toContain('đã bị từ chối');
		const elsewhere = planTransferAcceptance({
			...SENDER,
			offer: offer(),
			input: { branchId: 'branch:x', on: '01/12/2025' }
		});
		expect(errorsOf(elsewhere).form).toBe('Chỉ đơn vị được đề nghị chuyển đến mới tiếp nhận được.');
		expect(errorsOf(accept(offer(), 'branch:xathucluyenthon2', '24/11/2025')).on).toContain(
			'không được trước ngày đề nghị chuyển (25/11/2025)'
		);
		expect(errorsOf(accept(offer(), '')).branchId).toBe('Chi đoàn tiếp nhận không được để trống.');
		expect(errorsOf(accept(offer(), 'branch:khac')).branchId).toContain('không có trong đơn vị');
	});

	it('rejects with a reason, once', () => {
		const result = planTransferRejection({
			...RECEIVER,
			offer: offer(),
			input: { reason: 'Không cư trú tại xã', on: '01/12/2025' }
		});
		expect(result.ok && result.plan.offer).toMatchObject({
			state: 'rejected',
			rejectionReason: 'Không cư trú tại xã'
		});
		expect(
			errorsOf(planTransferRejection({ ...RECEIVER, offer: offer(), input: { on: '01/12/2025' } }))
				.reason
		).toBe('Lý do từ chối không được để trống.');
		const rejected = { ...offer(), state: 'rejected' as const };
		expect(
			errorsOf(
				planTransferRejection({
					...RECEIVER,
					offer: rejected,
					input: { reason: 'x', on: '01/12/2025' }
				})
			).form
		).toContain('đã bị từ chối');
	});
});

describe('planTransferOutcome: the answer carried back to the sending unit', () => {
	const worker = context({ actor: { login: 'doanvu-worker', unitId: 'xathanhson' } });

	it('accepted: the member is "transferred" here, with a transfer-out entry', () => {
		const { member: sent } = requested();
		const answered = { ...offer(), state: 'accepted' as const, decidedOn: '2025-12-01' };
		const plan = planOf(
			planTransferOutcome({ ...worker, member: { ...sent, _rev: '4-bbb' }, offer: answered })
		);
		expect(plan.member).toMatchObject({ status: 'transferred', statusSince: '2025-12-01' });
		expect(plan.member?.transfer?.toUnitName).toBe('Đoàn xã Thục Luyện');
		expect(plan.entries[0]).toMatchObject({
			_id: 'history:01JD3X4N5P6Q7R8S9T0V1W2X3Y:01HZZ000000000000000000001-out',
			kind: 'transfer-out',
			at: '2025-12-01'
		});
	});

	it('rejected: the member is active again, the status date restored', () => {
		const { member: sent, entry } = requested();
		const answered = {
			...offer(),
			state: 'rejected' as const,
			decidedOn: '2025-12-01',
			rejectionReason: 'Sai đơn vị'
		};
		const plan = planOf(
			planTransferOutcome({
				...worker,
				member: { ...sent, _rev: '4-bbb' },
				offer: answered,
				request: entry
			})
		);
		expect(plan.member?.status).toBe('active');
		expect(plan.member).not.toHaveProperty('transfer');
		expect(plan.member).not.toHaveProperty('statusSince');
		expect(plan.entries[0]).toMatchObject({
			_id: 'history:01JD3X4N5P6Q7R8S9T0V1W2X3Y:01HZZ000000000000000000001-rejected',
			kind: 'transfer-rejected',
			data: { reason: 'Sai đơn vị' }
		});
	});

	it('plans nothing while pending, and nothing once the answer is applied', () => {
		const { member: sent } = requested();
		expect(planOf(planTransferOutcome({ ...worker, member: sent, offer: offer() }))).toEqual({
			entries: [],
			member: null,
			warnings: []
		});
		const answered = { ...offer(), state: 'accepted' as const, decidedOn: '2025-12-01' };
		const applied = planOf(planTransferOutcome({ ...worker, member: sent, offer: answered }))
			.member as MemberDoc;
		expect(
			planOf(planTransferOutcome({ ...worker, member: applied, offer: answered })).entries
		).toEqual([]);
	});
});
