import { formatDate, formatLongDate } from './dates';
import { documentNumberLine } from './decision-numbers';
import type { Decision, HistoryDoc } from './history-schema';
import type { MemberDoc } from './member-schema';
import { formalName, fullName } from './names';

// A decision as structured text blocks that a print page lays out (docs/domain.md §5, the layout of the
// Party's and the Union's documents):
//
//   HUYỆN ĐOÀN THANH SƠN                         ĐOÀN TNCS HỒ CHÍ MINH
//   BCH ĐOÀN XÃ THỤC LUYỆN                        ─────────────────────
//            ***                          Phú Thọ, ngày 05 tháng 01 năm 2024
//   Số: 12-QĐ/ĐTN
//                               QUYẾT ĐỊNH
//                        về việc kết nạp đoàn viên
//                               -----
//                 BAN CHẤP HÀNH ĐOÀN XÃ THỤC LUYỆN
//   - Căn cứ Điều lệ Đoàn TNCS Hồ Chí Minh;  …
//                               QUYẾT ĐỊNH:
//   Điều 1. …   Điều 2. …   Điều 3. …
//   Nơi nhận:                                       T/M BAN CHẤP HÀNH
//   - Như Điều 3;                                        BÍ THƯ
//   - Lưu VP.                                         (signature)
//                                                   Nguyễn Văn An
//
// Bulk decisions are either one document per member or one document whose Article 1 refers to an
// attached list (`annex`).

/** The issuing unit as the header prints it. */
export interface IssuingUnit {
	/** "Đoàn xã Thục Luyện". */
	name: string;
	/** The direct superior: "Huyện đoàn Thanh Sơn"; the first header line. */
	superiorName: string;
	/** Where documents are dated: "Phú Thọ". */
	place: string;
}

export interface DecisionHeader {
	/** Left: the superior, in capitals. */
	superior: string;
	/** Left: the issuing body, in capitals ("BCH ĐOÀN XÃ THỤC LUYỆN"). */
	issuer: string;
	/** Left, below "***": "Số: 12-QĐ/ĐTN". */
	number: string;
	/** Right: "ĐOÀN TNCS HỒ CHÍ MINH", underlined. */
	motto: string;
	/** Right, italic: "Phú Thọ, ngày 05 tháng 01 năm 2024". */
	placeDate: string;
}

export interface DecisionArticle {
	/** "Điều 1." */
	label: string;
	text: string;
}

export interface DecisionAnnex {
	title: string;
	columns: string[];
	rows: string[][];
}

export interface DecisionDocument {
	header: DecisionHeader;
	/** "QUYẾT ĐỊNH". */
	title: string;
	/** "về việc kết nạp đoàn viên". */
	subject: string;
	/** The deciding body, in capitals: "BAN CHẤP HÀNH ĐOÀN XÃ THỤC LUYỆN". */
	authority: string;
	/** Lines starting "- Căn cứ …", "- Xét …", each ending with ";" and the last with ",". */
	bases: string[];
	/** "QUYẾT ĐỊNH:". */
	decides: string;
	articles: DecisionArticle[];
	annex?: DecisionAnnex;
	/** "Nơi nhận:" then its lines. */
	recipients: string[];
	signature: {
		/** "T/M BAN CHẤP HÀNH". */
		onBehalf: string;
		/** "BÍ THƯ". */
		title: string;
		name: string;
	};
}

export const UNION_NAME = 'ĐOÀN TNCS HỒ CHÍ MINH';

function upper(text: string): string {
	return text.toLocaleUpperCase('vi').normalize('NFC');
}

/** "Đoàn xã Thục Luyện" → "BCH ĐOÀN XÃ THỤC LUYỆN", as the left header names the issuer. */
export function issuerHeading(unitName: string): string {
	return `BCH ${upper(unitName)}`;
}

export function decisionHeader(options: { unit: IssuingUnit; decision: Decision }): DecisionHeader {
	const { unit, decision } = options;
	return {
		superior: upper(unit.superiorName),
		issuer: issuerHeading(unit.name),
		number: documentNumberLine(decision.number),
		motto: UNION_NAME,
		placeDate: formatLongDate({ place: unit.place, date: decision.date })
	};
}

/** One member on a decision, with the entry that records what was decided. */
export interface DecisionSubject {
	member: Pick<MemberDoc, 'familyName' | 'middleName' | 'givenName' | 'birthDate'>;
	entry: HistoryDoc;
	/** The member's branch, by name. */
	branchName?: string;
}

interface KindText {
	subject: string;
	/** Article 1 for one member ("đồng chí Nguyễn Thị Hoa, sinh ngày …"). */
	one: (who: string, entry: HistoryDoc) => string;
	/** Article 1 for a list. */
	many: (count: number) => string;
	/** A column of the annex for this kind. */
	detail?: { column: string; value: (entry: HistoryDoc) => string };
	/** Ends with "chi đoàn", replaced by the branch's name for one member. */
	basis: string;
}

function describe(subject: DecisionSubject): string {
	const name = fullName(subject.member);
	const branch = subject.branchName ? `, đoàn viên ${subject.branchName}` : '';
	return `đồng chí ${name}, sinh ngày ${formatDate(subject.member.birthDate)}${branch}`;
}

const KIND_TEXTS: Partial<Record<HistoryDoc['kind'], KindText>> = {
	admission: {
		subject: 'về việc kết nạp đoàn viên',
		one: (who, entry) =>
			`Kết nạp ${who} vào Đoàn TNCS Hồ Chí Minh, kể từ ngày ${formatDate(entry.at)}.`,
		many: (count) =>
			`Kết nạp ${count} đồng chí có tên trong danh sách kèm theo vào Đoàn TNCS Hồ Chí Minh.`,
		basis: 'Xét đơn xin vào Đoàn và đề nghị của chi đoàn',
		detail: { column: 'Ngày vào Đoàn', value: (entry) => formatDate(entry.at) }
	},
	'branch-move': {
		subject: 'về việc chuyển sinh hoạt chi đoàn',
		one: (who, entry) =>
			`Chuyển sinh hoạt ${who} sang chi đoàn mới, kể từ ngày ${formatDate(entry.at)}.`,
		many: (count) =>
			`Chuyển sinh hoạt chi đoàn cho ${count} đồng chí có tên trong danh sách kèm theo.`,
		basis: 'Xét nguyện vọng của đoàn viên và đề nghị của chi đoàn'
	},
	'transfer-requested': {
		subject: 'về việc chuyển sinh hoạt Đoàn',
		one: (who, entry) =>
			entry.kind === 'transfer-requested'
				? `Giới thiệu ${who} chuyển sinh hoạt Đoàn đến ${entry.data.toUnitName}.`
				: '',
		many: (count) =>
			`Giới thiệu ${count} đồng chí có tên trong danh sách kèm theo chuyển sinh hoạt Đoàn.`,
		basis: 'Xét nguyện vọng của đoàn viên và nhận xét của chi đoàn'
	},
	'coming-of-age': {
		subject: 'về việc công nhận đoàn viên trưởng thành Đoàn',
		one: (who, entry) => `Công nhận ${who} trưởng thành Đoàn, kể từ ngày ${formatDate(entry.at)}.`,
		many: (count) =>
			`Công nhận ${count} đồng chí có tên trong danh sách kèm theo trưởng thành Đoàn.`,
		basis: 'Xét đề nghị của chi đoàn'
	},
	'stay-extended': {
		subject: 'về việc đoàn viên tiếp tục sinh hoạt Đoàn',
		one: (who, entry) =>
			entry.kind === 'stay-extended'
				? `Đồng ý để ${who} tiếp tục sinh hoạt Đoàn đến ngày ${formatDate(entry.data.until)}.`
				: '',
		many: (count) =>
			`Đồng ý để ${count} đồng chí có tên trong danh sách kèm theo tiếp tục sinh hoạt Đoàn.`,
		basis: 'Xét nguyện vọng của đoàn viên và đề nghị của chi đoàn',
		detail: {
			column: 'Sinh hoạt đến ngày',
			value: (entry) => (entry.kind === 'stay-extended' ? formatDate(entry.data.until) : '')
		}
	},
	removal: {
		subject: 'về việc xóa tên đoàn viên',
		one: (who, entry) =>
			entry.kind === 'removal'
				? `Xóa tên ${who} khỏi danh sách đoàn viên. Lý do: ${entry.data.reasonLabel}` +
					`${entry.note ? ` (${entry.note})` : ''}.`
				: '',
		many: (count) =>
			`Xóa tên ${count} đồng chí có tên trong danh sách kèm theo khỏi danh sách đoàn viên.`,
		basis: 'Xét đề nghị của chi đoàn',
		detail: {
			column: 'Lý do',
			value: (entry) => (entry.kind === 'removal' ? entry.data.reasonLabel : '')
		}
	},
	discipline: {
		subject: 'về việc thi hành kỷ luật đoàn viên',
		one: (who, entry) =>
			entry.kind === 'discipline'
				? `Thi hành kỷ luật bằng hình thức ${entry.data.formLabel.toLocaleLowerCase('vi')} đối với ` +
					`${who}. Lý do: ${entry.data.reason}.`
				: '',
		many: (count) => `Thi hành kỷ luật ${count} đồng chí có tên trong danh sách kèm theo.`,
		basis: 'Xét kết quả bỏ phiếu kín và đề nghị của chi đoàn',
		detail: {
			column: 'Hình thức',
			value: (entry) => (entry.kind === 'discipline' ? entry.data.formLabel : '')
		}
	},
	reward: {
		subject: 'về việc khen thưởng',
		one: (who, entry) =>
			entry.kind === 'reward'
				? `Tặng ${entry.data.formLabel} cho ${who}, đã có thành tích: ${entry.data.achievement}.`
				: '',
		many: (count) => `Khen thưởng ${count} đồng chí có tên trong danh sách kèm theo.`,
		basis: 'Xét thành tích và đề nghị của chi đoàn',
		detail: {
			column: 'Thành tích',
			value: (entry) => (entry.kind === 'reward' ? entry.data.achievement : '')
		}
	}
};

/** Kinds of history entry that print a decision. */
export const DECISION_KINDS = Object.keys(KIND_TEXTS) as HistoryDoc['kind'][];

/**
 * The decision document for one member, or one for several members of the same kind and decision
 * (Article 1 then refers to an annexed list). Throws for kinds that have no decision text.
 */
export function decisionDocument(options: {
	unit: IssuingUnit;
	decision: Decision;
	subjects: readonly DecisionSubject[];
}): DecisionDocument {
	const { unit, decision, subjects } = options;
	const first = subjects[0];
	if (first === undefined) throw new RangeError('Quyết định phải có ít nhất một đoàn viên.');
	const kind = first.entry.kind;
	const text = KIND_TEXTS[kind];
	if (text === undefined) throw new RangeError(`Nghiệp vụ "${kind}" không có quyết định.`);
	if (subjects.some((s) => s.entry.kind !== kind)) {
		throw new RangeError('Một quyết định chỉ gồm các nghiệp vụ cùng loại.');
	}
	const single = subjects.length === 1;
	// Every basis ends with "chi đoàn": name the branch when the decision is about one member.
	const basis =
		single && first.branchName ? text.basis.replace(/chi đoàn$/, first.branchName) : text.basis;
	const authority = upper(`Ban Chấp hành ${unit.name}`);
	const articles: DecisionArticle[] = [
		{
			label: 'Điều 1.',
			text: single ? text.one(describe(first), first.entry) : text.many(subjects.length)
		},
		{ label: 'Điều 2.', text: 'Quyết định có hiệu lực kể từ ngày ký.' },
		{
			label: 'Điều 3.',
			text:
				`Ban Chấp hành chi đoàn, các bộ phận có liên quan và ${single ? 'đồng chí' : 'các đồng chí'} ` +
				`có tên tại Điều 1 căn cứ Quyết định thi hành.`
		}
	];
	const document: DecisionDocument = {
		header: decisionHeader({ unit, decision }),
		title: 'QUYẾT ĐỊNH',
		subject: text.subject,
		authority,
		bases: ['- Căn cứ Điều lệ Đoàn TNCS Hồ Chí Minh;', `- ${basis},`],
		decides: 'QUYẾT ĐỊNH:',
		articles,
		recipients: ['- Như Điều 3;', `- ${unit.superiorName} (để báo cáo);`, '- Lưu VP.'],
		signature: {
			onBehalf: 'T/M BAN CHẤP HÀNH',
			title: upper(decision.signerTitle ?? 'Bí thư'),
			name: decision.signer
		}
	};
	if (!single) {
		const detail = text.detail;
		document.annex = {
			title:
				`DANH SÁCH KÈM THEO QUYẾT ĐỊNH SỐ ${decision.number} ` +
				`NGÀY ${formatDate(decision.date)}`,
			columns: ['TT', 'Họ và tên', 'Ngày sinh', 'Chi đoàn', ...(detail ? [detail.column] : [])],
			rows: subjects.map((s, index) => [
				String(index + 1),
				fullName(s.member),
				formatDate(s.member.birthDate),
				s.branchName ?? '',
				...(detail ? [detail.value(s.entry)] : [])
			])
		};
	}
	return document;
}

/** The certificate of coming of age (Giấy chứng nhận trưởng thành Đoàn), as text blocks. */
export interface ComingOfAgeCertificate {
	header: Omit<DecisionHeader, 'number'>;
	title: string;
	subtitle: string;
	lines: string[];
	signature: DecisionDocument['signature'];
}

export function comingOfAgeCertificate(options: {
	unit: IssuingUnit;
	member: Pick<MemberDoc, 'familyName' | 'middleName' | 'givenName' | 'birthDate' | 'joinedOn'>;
	entry: HistoryDoc;
	/** The day printed, usually the ceremony day. */
	date: string;
	signer: string;
	signerTitle?: string;
}): ComingOfAgeCertificate {
	const { unit, member, entry } = options;
	if (entry.kind !== 'coming-of-age') {
		throw new RangeError('Giấy chứng nhận chỉ in cho nghiệp vụ trưởng thành Đoàn.');
	}
	return {
		header: {
			superior: upper(unit.superiorName),
			issuer: issuerHeading(unit.name),
			motto: UNION_NAME,
			placeDate: formatLongDate({ place: unit.place, date: options.date })
		},
		title: 'GIẤY CHỨNG NHẬN',
		subtitle: 'TRƯỞNG THÀNH ĐOÀN',
		lines: [
			`Ban Chấp hành ${unit.name} chứng nhận:`,
			`Đồng chí: ${formalName(member)}`,
			`Sinh ngày: ${formatDate(member.birthDate)}`,
			...(member.joinedOn ? [`Ngày vào Đoàn: ${formatDate(member.joinedOn)}`] : []),
			`Đã hoàn thành nhiệm vụ của người đoàn viên và trưởng thành Đoàn kể từ ngày ` +
				`${formatDate(entry.at)}.`
		],
		signature: {
			onBehalf: 'T/M BAN CHẤP HÀNH',
			title: upper(options.signerTitle ?? 'Bí thư'),
			name: options.signer
		}
	};
}
