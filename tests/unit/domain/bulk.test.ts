import { describe, expect, it } from 'vitest';
import {
	planBulk,
	planBulkUndo,
	planComingOfAge,
	planRemoval,
	planTrainingRegistration,
	type HistoryDoc,
	type MemberDoc
} from '$lib/domain';
import { DECISION, context, expectValidEntry, member } from './operation-fixtures';

const members = [
	member({ _id: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3A', givenName: 'An', birthDate: '1995-01-10' }),
	member({
		_id: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3B',
		givenName: 'Bình',
		birthDate: '1995-02-10',
		unionPosition: 'Bí thư chi đoàn'
	}),
	member({ _id: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3C', givenName: 'Chi', birthDate: '1995-03-10' }),
	member({ _id: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3D', givenName: 'Dung', birthDate: '1995-12-30' }),
	member({
		_id: 'member:01JD3X4N5P6Q7R8S9T0V1W2X3E',
		givenName: 'Giang',
		birthDate: '1994-04-10',
		status: 'transferring'
	})
];

function ceremony() {
	return planBulk({
		context: context(),
		members,
		action: 'trưởng thành Đoàn',
		plan: (m, ctx) => planComingOfAge({ ...ctx, member: m, input: { on: '15/10/2025' } })
	});
}

describe('planBulk: one operation over many members', () => {
	it('plans each member, refuses with reasons, and summarises for the confirmation', () => {
		const plan = ceremony();
		expect(plan.outcomes.map((o) => [o.name, o.ok])).toEqual([
			['Hà Thị An', true],
			['Hà Thị Bình', false],
			['Hà Thị Chi', true],
			['Hà Thị Dung', false],
			['Hà Thị Giang', false]
		]);
		expect(plan.summary).toMatchObject({ total: 5, done: 2, refused: 3 });
		expect(plan.members.map((m) => m.status)).toEqual(['matured', 'matured']);
		expect(plan.entries).toHaveLength(2);
		expect(plan.confirmation).toBe(
			'Ghi trưởng thành Đoàn cho 2 đoàn viên. 3 đoàn viên không thực hiện được: ' +
				'Đoàn viên đang giữ chức vụ Đoàn (Bí thư chi đoàn) nên chưa trưởng thành; ghi thôi chức ' +
				'vụ trước nếu đúng là trưởng thành (1); Không thể ghi trưởng thành Đoàn: đoàn viên đang ' +
				'chuyển sinh hoạt, chờ đơn vị nhận trả lời (nhận hoặc từ chối) (1); Ngày trưởng thành ' +
				'phải sau ngày tròn 30 tuổi (30/12/2025) (1). Có thể hủy cả đợt này sau đó.'
		);
	});

	it('marks every entry with the act’s id', () => {
		const plan = ceremony();
		for (const entry of plan.entries) {
			expectValidEntry(entry);
			expect(entry.bulkId).toBe(plan.bulkId);
		}
	});

	it('registers a whole unit for the training programme at the start of the year', () => {
		const plan = planBulk({
			context: context(),
			members: members.slice(0, 3),
			action: 'đăng ký chương trình rèn luyện năm 2025',
			plan: (m, ctx) =>
				planTrainingRegistration({
					...ctx,
					member: m,
					input: { year: '2025', contentIds: ['hoc-nghi-quyet', 'tinh-nguyen'] },
					history: []
				})
		});
		expect(plan.summary.done).toBe(3);
		expect(plan.members).toEqual([]);
		expect(plan.confirmation).toBe(
			'Ghi đăng ký chương trình rèn luyện năm 2025 cho 3 đoàn viên. Có thể hủy cả đợt này sau đó.'
		);
	});
});

describe('planBulkUndo: the reversal path of a bulk act', () => {
	it('reverses every entry of the act, refusing members changed since', () => {
		const act = ceremony();
		const history: HistoryDoc[] = [...act.entries];
		const byId = new Map(act.members.map((m) => [m._id, { ...m, _rev: '4-b' } as MemberDoc]));
		// Chi was removed after the ceremony's mistake was noticed: her status moved on.
		const chi = byId.get('member:01JD3X4N5P6Q7R8S9T0V1W2X3C') as MemberDoc;
		byId.set(chi._id, { ...chi, status: 'removed' });
		const undo = planBulkUndo({
			context: context(),
			bulkId: act.bulkId,
			members: [...byId.values()],
			history,
			reason: 'Tổ chức lễ nhầm ngày',
			action: 'trưởng thành Đoàn'
		});
		expect(undo.summary).toMatchObject({ total: 2, done: 1, refused: 1 });
		expect(undo.members.map((m) => [m.givenName, m.status])).toEqual([['An', 'active']]);
		expect(undo.entries[0]).toMatchObject({ kind: 'reversal', bulkId: undo.bulkId });
		expect(undo.confirmation).toBe(
			'Hủy trưởng thành Đoàn cho 1 đoàn viên. 1 đoàn viên không thực hiện được: Không hủy được: ' +
				'Trạng thái đã thay đổi sau nghiệp vụ này; hãy hủy các nghiệp vụ ghi sau trước (1).'
		);
	});

	it('finds nothing to undo once the act is reversed', () => {
		const act = planBulk({
			context: context(),
			members: [members[0] as MemberDoc],
			action: 'xóa tên',
			plan: (m, ctx) =>
				planRemoval({
					...ctx,
					member: m,
					input: {
						reasonId: 'bo-sinh-hoat',
						monthsMissed: '3',
						on: '20/11/2025',
						decision: DECISION
					}
				})
		});
		const after = { ...(act.members[0] as MemberDoc), _rev: '4-b' };
		const undo = planBulkUndo({
			context: context(),
			bulkId: act.bulkId,
			members: [after],
			history: act.entries,
			reason: 'Nhầm',
			action: 'xóa tên'
		});
		const again = planBulkUndo({
			context: context(),
			bulkId: act.bulkId,
			members: undo.members,
			history: [...act.entries, ...undo.entries],
			reason: 'Nhầm',
			action: 'xóa tên'
		});
		expect(again.summary.total).toBe(0);
		expect(again.confirmation).toBe('Không đoàn viên nào hủy xóa tên được.');
	});
});
