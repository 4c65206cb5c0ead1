import {
	DEFAULT_UNION_RULES,
	HISTORY_SCHEMA_VERSION,
	addDays,
	formatDocumentNumber,
	historyId,
	isoDateParts,
	type Decision,
	type HistoryDoc,
	type MemberDoc
} from '../domain';
import { CROCKFORD_ALPHABET, encodeUlidTime } from '../domain/org/ids';
import { createRandom, type Random } from './random';

// Synthetic member history (docs/design.md §2: every operation on a member is its own immutable
// document, `history:<member ULID>:<ULID>`, docs/domain.md §3): the admission, annual ratings for some
// of the last years, the odd transfer in, and the entry that explains a status other than active
// (transfer out, coming of age, removal). About two entries per member, each valid under the
// domain's HistoryDocSchema, deterministic from the seed and each member's id — except the
// decision numbers, which count through each unit's year as a real register does (one number per
// decision: the members admitted or matured on the same day share it, as a bulk decision with an
// annexed list), so that numbers issued later by the app never repeat one of the demo's.

const RATING_GRADES: readonly (readonly [string, number])[] = [
	['hoan-thanh-xuat-sac', 14],
	['hoan-thanh-tot', 56],
	['hoan-thanh', 27],
	['khong-hoan-thanh', 3]
];

const OTHER_UNITS: readonly (readonly [string, string])[] = [
	['xatatthang', 'Đoàn xã Tất Thắng'],
	['xacuthang', 'Đoàn xã Cự Thắng'],
	['phuonggiacam', 'Đoàn phường Gia Cẩm'],
	['thptthanhson', 'Đoàn trường THPT Thanh Sơn'],
	['dhhungvuong', 'Đoàn trường Đại học Hùng Vương'],
	['ctypouyuen', 'Đoàn Công ty TNHH Pouyuen Việt Nam'],
	['xatamhong', 'Đoàn xã Tam Hồng']
];

const SIGNERS = ['Nguyễn Văn An', 'Hà Thị Lan', 'Đinh Văn Hùng', 'Lò Thị Mai', 'Trần Minh Đức'];

function ulidAt(random: Random, timestamp: string): string {
	let tail = '';
	for (let i = 0; i < 16; i++) tail += CROCKFORD_ALPHABET.charAt(random.int({ min: 0, max: 31 }));
	return encodeUlidTime(Date.parse(timestamp)) + tail;
}

function officeTime(random: Random, date: string): string {
	// Office hours in Vietnam (UTC+7) are 01:00–10:00 UTC.
	const hour = String(random.int({ min: 1, max: 9 })).padStart(2, '0');
	const minute = String(random.int({ min: 0, max: 59 })).padStart(2, '0');
	return `${date}T${hour}:${minute}:00.000Z`;
}

function daysBetween(from: string, to: string): number {
	return Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
}

export interface GenerateHistoryOptions {
	/** Same seed and members, same history. */
	seed: string | number;
	members: readonly MemberDoc[];
	/** ISO date the data is "as of": nothing happens after it. */
	today: string;
	/** Login recorded as creator of the entries (default: each member's `createdBy`). */
	createdBy?: string;
	/** "Ban Chấp hành Đoàn xã Thanh Sơn": who signs the unit's decisions. */
	issuer?: string;
	/** Years of annual ratings before `today`'s year (default 3). */
	ratingYears?: number;
	/** Chance that a year's rating was recorded (default 0.4: about two entries a member). */
	ratingShare?: number;
}

/**
 * History entries of the given members. A member's entries depend only on the seed and the
 * member's id, so adding members never changes the others' history.
 */
export function generateHistory(options: GenerateHistoryOptions): HistoryDoc[] {
	const { seed, members, today } = options;
	if (!isoDateParts(today)) throw new RangeError(`Ngày "today" không hợp lệ: "${today}".`);
	const thisYear = Number(today.slice(0, 4));
	const ratingYears = options.ratingYears ?? 3;
	const ratingShare = options.ratingShare ?? 0.4;
	const rules = DEFAULT_UNION_RULES;
	const scale = rules.ratingScales.find((s) => s.id === rules.currentRatingScaleId)!;
	const removal = rules.removalReasons[0]!;
	const issuer = options.issuer ?? 'Ban Chấp hành Đoàn cơ sở';
	const out: HistoryDoc[] = [];

	for (const member of members) {
		const random = createRandom(`${seed}/history/${member._id}`);
		const by = options.createdBy ?? member.createdBy;
		const signer = random.pick(SIGNERS);
		const decision = (date: string): Decision => ({
			// Numbered in a last pass over every member (numberDecisions).
			number: '',
			date,
			signer,
			signerTitle: 'Bí thư',
			issuer
		});
		const common = (at: string) => {
			const createdAt = officeTime(random, at);
			return {
				_id: historyId({ memberId: member._id, key: ulidAt(random, createdAt) }),
				type: 'history' as const,
				v: HISTORY_SCHEMA_VERSION,
				unitId: member.unitId,
				memberId: member._id as `member:${string}`,
				at,
				rulesVersion: rules.version,
				createdAt,
				createdBy: by,
				updatedAt: createdAt,
				updatedBy: by
			};
		};
		const someDayAfter = (from: string) =>
			from < today
				? addDays({
						date: from,
						days: random.int({ min: 1, max: Math.max(1, daysBetween(from, today)) })
					})
				: today;

		const joined = member.joinedOn;
		if (joined) {
			const applied = addDays({ date: joined, days: -random.int({ min: 20, max: 60 }) });
			const present = random.int({ min: 8, max: 30 });
			out.push({
				...common(joined),
				kind: 'admission',
				decision: decision(joined),
				data: {
					applicationDate: applied,
					charterCourseDate: addDays({ date: applied, days: random.int({ min: 5, max: 15 }) }),
					sponsor: { kind: 'organisation', name: 'Chi đoàn' },
					vote: { on: addDays({ date: joined, days: -7 }), present, inFavour: present },
					registryChecked: true
				}
			});
			if (random.chance(0.04)) {
				const on = addDays({ date: joined, days: random.int({ min: 120, max: 900 }) });
				if (on < today) {
					const [fromUnitId, fromUnitName] = random.pick(OTHER_UNITS);
					out.push({
						...common(on),
						kind: 'transfer-in',
						data: {
							transferId: ulidAt(random, `${on}T00:00:00.000Z`),
							fromUnitId,
							fromUnitName,
							branchId: member.branchId ?? 'branch:chung'
						}
					});
				}
			}
			for (let year = thisYear - ratingYears; year < thisYear; year++) {
				const at = `${year}-12-${String(random.int({ min: 10, max: 28 })).padStart(2, '0')}`;
				if (at <= joined || at > today || !random.chance(ratingShare)) continue;
				const gradeId = random.weighted(RATING_GRADES);
				out.push({
					...common(at),
					kind: 'rating',
					data: {
						year,
						stage: 'superior',
						scaleId: scale.id,
						gradeId,
						gradeLabel: scale.grades.find((g) => g.id === gradeId)!.label
					}
				});
			}
		}
		const since = joined ?? member.createdAt.slice(0, 10);
		if (member.status === 'transferred') {
			const at = someDayAfter(since);
			const [toUnitId, toUnitName] = random.pick(OTHER_UNITS);
			out.push({
				...common(at),
				kind: 'transfer-out',
				data: { transferId: ulidAt(random, `${at}T00:00:00.000Z`), toUnitId, toUnitName }
			});
		} else if (member.status === 'matured') {
			const at = someDayAfter(since);
			out.push({ ...common(at), kind: 'coming-of-age', decision: decision(at), data: {} });
		} else if (member.status === 'removed') {
			const at = someDayAfter(since);
			out.push({
				...common(at),
				kind: 'removal',
				decision: decision(at),
				data: { reasonId: removal.id, reasonLabel: removal.label, monthsMissed: 3 }
			});
		}
	}
	return numberDecisions(out);
}

/**
 * Numbers the decisions as the unit's register would: per unit, per year of the decision's date,
 * in date order from 01; entries of one kind decided on the same day share one decision.
 */
export function numberDecisions(entries: HistoryDoc[]): HistoryDoc[] {
	const withDecision = entries
		.filter((entry) => entry.decision !== undefined)
		.sort(
			(a, b) =>
				a.unitId.localeCompare(b.unitId) ||
				a.decision!.date.localeCompare(b.decision!.date) ||
				a.kind.localeCompare(b.kind)
		);
	const counters = new Map<string, number>();
	const shared = new Map<string, string>();
	const numbers = new Map<HistoryDoc, string>();
	for (const entry of withDecision) {
		const date = entry.decision!.date;
		const sameDecision = `${entry.unitId}/${date}/${entry.kind}`;
		let number = shared.get(sameDecision);
		if (number === undefined) {
			const register = `${entry.unitId}/${date.slice(0, 4)}`;
			const next = (counters.get(register) ?? 0) + 1;
			counters.set(register, next);
			number = formatDocumentNumber({ number: next, type: 'QĐ', issuer: 'ĐTN' });
			shared.set(sameDecision, number);
		}
		numbers.set(entry, number);
	}
	return entries.map((entry) => {
		const number = numbers.get(entry);
		return number === undefined || entry.decision === undefined
			? entry
			: ({ ...entry, decision: { ...entry.decision, number } } as HistoryDoc);
	});
}
