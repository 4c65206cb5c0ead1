import {
	DEFAULT_COMMUNES,
	generateHistory,
	generateMembers,
	generateProvince,
	type DemoUnit
} from '../../src/lib/synthetic';
import { todayIso } from '../../src/lib/domain/dates';
import { ROLE_LABELS, type AccountRole } from '../accounts/account-service';
import type { DoanvuServer } from './doanvu-server';

// `tsx server/main.ts --demo`: on an empty store, a synthetic province to try the app with — a Tỉnh
// đoàn over three communes/wards, their chi đoàn as `branch:` documents (docs/decisions/
// 0004-branches-as-documents.md), a few hundred generated members and accounts whose passwords are
// printed once. Everything goes through the same services and CouchDB API as real data; the members,
// written as admin (not through the /couch proxy), are registered in the citizen-id registry here.

export const DEMO_PASSWORD = 'demo1234';

export interface DemoAccount {
	login: string;
	password: string;
	role: AccountRole;
	unitName: string;
}

export async function loadDemo(options: {
	server: Pick<DoanvuServer, 'couch' | 'provision' | 'accounts' | 'registry'>;
	print?: (line: string) => void;
	seed?: string;
	/** ISO date the generated data is "as of"; today by default. */
	today?: string;
	communes?: number;
}): Promise<DemoAccount[] | undefined> {
	const { couch, provision, accounts, registry } = options.server;
	const print = options.print ?? (() => {});
	if (await provision.hasUnits()) {
		print('Kho dữ liệu đã có đơn vị: bỏ qua việc nạp dữ liệu mẫu.');
		return undefined;
	}
	// Vietnam's date: the machine's UTC date is a day behind between 17:00 and 24:00 UTC.
	const today = options.today ?? todayIso();
	const province = generateProvince({
		seed: options.seed ?? 'doanvu-demo',
		communes: DEFAULT_COMMUNES.slice(0, options.communes ?? 3)
	});
	const created: DemoAccount[] = [];
	const addAccount = async (input: {
		login: string;
		role: AccountRole;
		unit: DemoUnit;
		fullName: string;
	}) => {
		await accounts.createAccount({
			login: input.login,
			password: DEMO_PASSWORD,
			fullName: input.fullName,
			unitId: input.unit.id,
			role: input.role,
			mustChangePassword: false,
			createdBy: 'demo'
		});
		created.push({
			login: input.login,
			password: DEMO_PASSWORD,
			role: input.role,
			unitName: input.unit.name
		});
	};

	let memberTotal = 0;
	for (const unit of province.units) {
		const record = await provision.createUnit({
			id: unit.id,
			name: unit.name,
			kind: unit.kind,
			parentId: unit.parentId ?? undefined,
			createdBy: 'demo'
		});
		if (unit.parentId === null) {
			await addAccount({ login: 'tinhdoan', role: 'admin', unit, fullName: 'Nguyễn Văn Quản' });
			await addAccount({ login: 'xem.tinhdoan', role: 'viewer', unit, fullName: 'Trần Thị Xem' });
			continue;
		}
		const secretary = `bithu.${unit.id}`.slice(0, 32);
		await addAccount({
			login: secretary,
			role: 'secretary',
			unit,
			fullName: `Bí thư ${unit.name}`
		});

		const at = new Date().toISOString();
		const branches = unit.branches.map((branch) => ({
			_id: `branch:${branch.id}`,
			type: 'branch',
			v: 1,
			unitId: unit.id,
			name: branch.name,
			kind: 'chi-doan',
			createdAt: at,
			createdBy: secretary,
			updatedAt: at,
			updatedBy: secretary
		}));
		// Members name their branch by the branch document's id, as the app's read model looks it up.
		const members = generateMembers({
			seed: unit.memberSeed,
			count: unit.memberCount,
			unitId: unit.id,
			branchIds: branches.map((branch) => branch._id),
			today,
			ethnicMix: unit.ethnicMix,
			locality: unit.locality,
			createdBy: secretary
		});
		memberTotal += members.length;
		// A few years of history per member (admission, ratings, transfers), so timelines and
		// unit-wide lists have something to show.
		const history = generateHistory({
			seed: unit.memberSeed,
			members,
			today,
			createdBy: secretary,
			issuer: `Ban Chấp hành ${unit.name}`
		});
		const results = await couch.bulkDocs({
			db: unit.db,
			docs: [...branches, ...members, ...history]
		});
		const failed = results.filter((result) => result.error);
		if (failed.length > 0) {
			throw new Error(`Không ghi được ${failed.length} tài liệu mẫu vào ${unit.db}.`);
		}
		await registry.reconcile({
			unit: record,
			docs: members as unknown as Record<string, unknown>[]
		});
	}

	print('');
	print(
		`Đã nạp dữ liệu mẫu: ${province.units.length} đơn vị, ${memberTotal} đoàn viên. Tài khoản dùng thử:`
	);
	print(table(created));
	print('');
	return created;
}

function table(rows: DemoAccount[]): string {
	const header = ['Tên đăng nhập', 'Mật khẩu', 'Vai trò', 'Đơn vị'];
	const lines = rows.map((row) => [row.login, row.password, ROLE_LABELS[row.role], row.unitName]);
	const widths = header.map((title, i) =>
		Math.max(title.length, ...lines.map((line) => (line[i] ?? '').length))
	);
	const format = (cells: string[]) =>
		`| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
	const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`;
	return [format(header), rule, ...lines.map(format)].join('\n');
}
