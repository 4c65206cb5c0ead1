// Whole on purpose (~510 lines): one generator, every field of a synthetic member drawn consistently with the others (age, status, citizen id, occupation).
import {
	DEFAULT_RULES,
	MEMBER_SCHEMA_VERSION,
	UNIT_ID_PATTERN,
	addDays,
	admissionWindow,
	anniversary,
	citizenIdCenturyDigit,
	fold,
	isComingOfAgeDue,
	isIsoDate,
	isPastAge,
	type Gender,
	type MemberDoc,
	type MemberStatus,
	type Occupation
} from '../domain';
import { CROCKFORD_ALPHABET, encodeUlidTime } from '../domain/org/ids';
import { generateName } from './name-generator';
import { createRandom, type Random } from './random';

type Table<T = string> = readonly (readonly [T, number])[];

export type EthnicMixPreset = 'mountain-district' | 'lowland';
/** A preset, or relative weights per ethnic code. */
export type EthnicMix = EthnicMixPreset | Readonly<Record<string, number>>;

/**
 * 'mountain-district' follows Thanh Sơn (Phú Thọ), where 61% of members are from ethnic minorities:
 * mostly Mường, then Dao. 'lowland' is a Kinh-majority ward or commune.
 */
export const ETHNIC_MIXES: Readonly<Record<EthnicMixPreset, Table>> = {
	'mountain-district': [
		['01', 39],
		['06', 45],
		['09', 10],
		['02', 2],
		['07', 1.5],
		['08', 1],
		['03', 0.5],
		['15', 0.5],
		['18', 0.5]
	],
	lowland: [
		['01', 98],
		['06', 1],
		['02', 0.3],
		['09', 0.3],
		['04', 0.2],
		['03', 0.2]
	]
};

// Completed age on `today`: most members are 16–30; a few older ones stayed on or came of age.
const AGE_WEIGHTS: Table<number> = [
	[16, 10],
	[17, 10],
	[18, 9],
	[19, 8],
	[20, 7],
	[21, 7],
	[22, 6],
	[23, 6],
	[24, 6],
	[25, 5],
	[26, 5],
	[27, 5],
	[28, 5],
	[29, 4],
	[30, 4],
	[31, 2],
	[32, 1.5],
	[33, 1],
	[34, 1],
	[35, 0.5]
];

const OTHER_STATUSES: Table<MemberStatus> = [
	['active', 93],
	['transferring', 1.5],
	['transferred', 2.5],
	['removed', 2],
	['expelled', 0.3],
	['deceased', 0.2]
];

// Where people born elsewhere registered their birth: mostly Phú Thọ's neighbours.
// The province part of a citizen id (Thông tư 07/2016/TT-BCA, the codes of the place where the
// birth was registered) for the provinces the hometowns below name.
const PROVINCE_CODES: Readonly<Record<string, string>> = {
	'thành phố Hà Nội': '001',
	'tỉnh Tuyên Quang': '008',
	'tỉnh Yên Bái': '015',
	'tỉnh Hòa Bình': '017',
	'tỉnh Thái Nguyên': '019',
	'tỉnh Phú Thọ': '025',
	'tỉnh Vĩnh Phúc': '026'
};

/** The citizen-id province code of an address ending with its province ("…, tỉnh Phú Thọ"). */
export function provinceCodeOf(address: string): string | undefined {
	const province = address.split(',').at(-1)?.trim() ?? '';
	return PROVINCE_CODES[province];
}

// Viettel, Vinaphone, Mobifone and Vietnamobile prefixes.
const PHONE_PREFIXES = [
	'032',
	'033',
	'034',
	'035',
	'036',
	'037',
	'038',
	'039',
	'086',
	'096',
	'097',
	'098',
	'081',
	'082',
	'083',
	'084',
	'085',
	'088',
	'091',
	'094',
	'070',
	'076',
	'077',
	'078',
	'079',
	'089',
	'090',
	'093',
	'056',
	'058',
	'092'
];

const MOUNTAIN_HOMETOWNS = [
	'xã Tất Thắng, huyện Thanh Sơn, tỉnh Phú Thọ',
	'xã Cự Thắng, huyện Thanh Sơn, tỉnh Phú Thọ',
	'xã Thục Luyện, huyện Thanh Sơn, tỉnh Phú Thọ',
	'xã Võ Miếu, huyện Thanh Sơn, tỉnh Phú Thọ',
	'xã Địch Quả, huyện Thanh Sơn, tỉnh Phú Thọ',
	'xã Khả Cửu, huyện Thanh Sơn, tỉnh Phú Thọ',
	'xã Thượng Cửu, huyện Thanh Sơn, tỉnh Phú Thọ',
	'xã Yên Lãng, huyện Thanh Sơn, tỉnh Phú Thọ',
	'xã Hương Cần, huyện Thanh Sơn, tỉnh Phú Thọ',
	'xã Giáp Lai, huyện Thanh Sơn, tỉnh Phú Thọ',
	'xã Kim Thượng, huyện Tân Sơn, tỉnh Phú Thọ',
	'xã Xuân Đài, huyện Tân Sơn, tỉnh Phú Thọ',
	'xã Thạch Kiệt, huyện Tân Sơn, tỉnh Phú Thọ',
	'xã Minh Đài, huyện Tân Sơn, tỉnh Phú Thọ',
	'xã Văn Luông, huyện Tân Sơn, tỉnh Phú Thọ',
	'xã Thu Cúc, huyện Tân Sơn, tỉnh Phú Thọ',
	'xã Xuân Sơn, huyện Tân Sơn, tỉnh Phú Thọ'
];

const LOWLAND_HOMETOWNS = [
	'phường Gia Cẩm, thành phố Việt Trì, tỉnh Phú Thọ',
	'phường Tiên Cát, thành phố Việt Trì, tỉnh Phú Thọ',
	'phường Nông Trang, thành phố Việt Trì, tỉnh Phú Thọ',
	'phường Tân Dân, thành phố Việt Trì, tỉnh Phú Thọ',
	'phường Bến Gót, thành phố Việt Trì, tỉnh Phú Thọ',
	'phường Dữu Lâu, thành phố Việt Trì, tỉnh Phú Thọ',
	'xã Sơn Vi, huyện Lâm Thao, tỉnh Phú Thọ',
	'xã Cao Xá, huyện Lâm Thao, tỉnh Phú Thọ',
	'xã Tiên Kiên, huyện Lâm Thao, tỉnh Phú Thọ',
	'xã Phù Ninh, huyện Phù Ninh, tỉnh Phú Thọ'
];

const ELSEWHERE_HOMETOWNS = [
	'xã Tam Hồng, huyện Yên Lạc, tỉnh Vĩnh Phúc',
	'xã Đại Phạm, huyện Hạ Hòa, tỉnh Phú Thọ',
	'xã Yên Lập, huyện Yên Lập, tỉnh Phú Thọ',
	'xã Đà Bắc, huyện Đà Bắc, tỉnh Hòa Bình',
	'phường Yên Thịnh, thị xã Nghĩa Lộ, tỉnh Yên Bái',
	'xã Hùng Lợi, huyện Yên Sơn, tỉnh Tuyên Quang',
	'phường Quang Trung, quận Hà Đông, thành phố Hà Nội'
];

const DEFAULT_LOCALITY: Readonly<Record<EthnicMixPreset, string>> = {
	'mountain-district': 'xã Thanh Sơn, tỉnh Phú Thọ',
	lowland: 'phường Việt Trì, tỉnh Phú Thọ'
};

const JOINED_PLACES = [
	'Chi đoàn lớp 10A1, Trường THPT Thanh Sơn',
	'Chi đoàn lớp 10A3, Trường THPT Hương Cần',
	'Chi đoàn lớp 11A2, Trường THPT Minh Đài',
	'Chi đoàn lớp 9A, Trường THCS Tất Thắng',
	'Chi đoàn lớp 10A5, Trường THPT Công nghiệp Việt Trì',
	'Chi đoàn lớp 10D1, Trường THPT chuyên Hùng Vương',
	'Chi đoàn khu 3, Đoàn xã Thanh Sơn',
	'Chi đoàn thôn Đồng Chằm, Đoàn xã Tân Sơn',
	'Chi đoàn Công ty TNHH Pouyuen Việt Nam',
	'Chi đoàn Đại đội 2, Tiểu đoàn 1, Trung đoàn 568'
];

const UNION_POSITIONS = ['Bí thư chi đoàn', 'Phó Bí thư chi đoàn', 'Ủy viên Ban Chấp hành'];
const QUALIFICATIONS = ['Sơ cấp nghề', 'Trung cấp', 'Cao đẳng', 'Đại học'];
const IT_SKILLS = ['Cơ bản', 'Chứng chỉ ứng dụng CNTT cơ bản', 'Tin học văn phòng'];
const LANGUAGES = ['Tiếng Anh A2', 'Tiếng Anh B1', 'Tiếng Trung HSK 3', 'Tiếng Hàn TOPIK 2'];

export interface GenerateMembersOptions {
	/** Same seed, same members: names, ids, everything. */
	seed: string | number;
	count: number;
	/** `[a-z0-9]{4,24}`. */
	unitId: string;
	/** Branches to spread members over; none leaves branchId out. */
	branchIds: readonly string[];
	/** ISO date the data is "as of": ages, statuses and timestamps are computed against it. */
	today: string;
	ethnicMix?: EthnicMix;
	/**
	 * Crockford base32 characters (up to 8) put after the id's time part, so members generated for
	 * different units with the same seed can be told apart by id and never collide.
	 */
	idPrefix?: string;
	/** Login recorded as creator and approver (default 'demo'). */
	createdBy?: string;
	/** Province code of most citizen ids (default '025', Phú Thọ). */
	provinceCode?: string;
	/** "xã …, tỉnh …" used in current addresses (post-2025 two-level names). */
	locality?: string;
}

function mixTable(mix: EthnicMix): Table {
	return typeof mix === 'string' ? ETHNIC_MIXES[mix] : Object.entries(mix);
}

function yearsBefore(options: { date: string; years: number }): string {
	return anniversary({ birthDate: options.date, years: -options.years });
}

function minIso(a: string, b: string): string {
	return a < b ? a : b;
}

function maxIso(a: string, b: string): string {
	return a > b ? a : b;
}

function digits(random: Random, length: number): string {
	let result = '';
	for (let i = 0; i < length; i++) result += String(random.int({ min: 0, max: 9 }));
	return result;
}

function timestamp(random: Random, date: string): string {
	// Office hours in Vietnam (UTC+7) are 01:00–10:00 UTC.
	const hour = String(random.int({ min: 1, max: 9 })).padStart(2, '0');
	const minute = String(random.int({ min: 0, max: 59 })).padStart(2, '0');
	const second = String(random.int({ min: 0, max: 59 })).padStart(2, '0');
	return `${date}T${hour}:${minute}:${second}.000Z`;
}

function occupationFor(random: Random, age: number): Occupation {
	if (age <= 17) {
		return random.weighted<Occupation>([
			['hoc-sinh', 85],
			['lao-dong-tu-do', 5],
			['nong-dan', 5],
			['cong-nhan', 5]
		]);
	}
	if (age <= 22) {
		return random.weighted<Occupation>([
			['hoc-sinh', age === 18 ? 30 : 0],
			['sinh-vien', 30],
			['cong-nhan', 25],
			['nong-dan', 15],
			['lao-dong-tu-do', 15],
			['luc-luong-vu-trang', 8],
			['can-bo', 2],
			['khac', 5]
		]);
	}
	return random.weighted<Occupation>([
		['cong-nhan', 28],
		['nong-dan', 22],
		['lao-dong-tu-do', 20],
		['can-bo', 15],
		['luc-luong-vu-trang', 5],
		['khac', 10]
	]);
}

function educationFor(random: Random, options: { age: number; occupation: Occupation }): string {
	if (options.occupation === 'hoc-sinh')
		return options.age <= 16 ? '9/12' : random.pick(['10/12', '11/12']);
	return random.weighted([
		['12/12', 80],
		['9/12', 17],
		['11/12', 3]
	]);
}

/**
 * Synthetic members of one unit, deterministic from the seed: realistic names for the ethnic mix,
 * ages mostly 16–30, citizen ids consistent with sex and birth year and unique within the run,
 * admission dates within the admission ages, phones, some card numbers, statuses mostly active.
 * Member i depends only on the seed and i, so a larger count keeps the first members unchanged.
 * Every document passes MemberDocSchema.
 */
export function generateMembers(options: GenerateMembersOptions): MemberDoc[] {
	const { seed, count, unitId, branchIds, today } = options;
	if (!UNIT_ID_PATTERN.test(unitId)) throw new RangeError(`Mã đơn vị không hợp lệ: "${unitId}".`);
	if (!isIsoDate(today)) throw new RangeError(`Ngày "today" không hợp lệ: "${today}".`);
	const idPrefix = options.idPrefix ?? '';
	if (!/^[0-9A-HJKMNP-TV-Z]{0,8}$/.test(idPrefix)) {
		throw new RangeError(`idPrefix phải gồm tối đa 8 ký tự Crockford base32: "${idPrefix}".`);
	}
	const mix = options.ethnicMix ?? 'lowland';
	const ethnicTable = mixTable(mix);
	const mountain = mix === 'mountain-district';
	const createdBy = options.createdBy ?? 'demo';
	const provinceCode = options.provinceCode ?? '025';
	const locality = options.locality ?? DEFAULT_LOCALITY[typeof mix === 'string' ? mix : 'lowland'];
	const hometowns = mountain ? MOUNTAIN_HOMETOWNS : LOWLAND_HOMETOWNS;
	const rules = DEFAULT_RULES;

	const usedCitizenIds = new Set<string>();
	const usedPhones = new Set<string>();
	const usedCards = new Set<string>();
	const usedIds = new Set<string>();
	const unique = (used: Set<string>, make: () => string): string => {
		let value = make();
		while (used.has(value)) value = make();
		used.add(value);
		return value;
	};

	const members: MemberDoc[] = [];
	for (let index = 0; index < count; index++) {
		const random = createRandom(`${seed}/member/${index}`);
		const gender: Gender = random.chance(0.5) ? 'male' : 'female';
		const ethnicCode = random.weighted(ethnicTable);
		const name = generateName({ random, gender, ethnicCode });

		const age = random.weighted(AGE_WEIGHTS);
		const birthDate = random.date({
			from: addDays({ date: yearsBefore({ date: today, years: age + 1 }), days: 1 }),
			to: yearsBefore({ date: today, years: age })
		});
		const birthYear = Number(birthDate.slice(0, 4));

		const window = admissionWindow({ birthDate, rules });
		const lastAdmission = minIso(window.latest, today);
		let joinedOn: string | undefined;
		if (random.chance(0.95)) {
			const early = minIso(addDays({ date: window.earliest, days: 730 }), lastAdmission);
			joinedOn = random.date({
				from: window.earliest,
				to: random.chance(0.7) ? early : lastAdmission
			});
		}

		let status: MemberStatus = random.weighted(OTHER_STATUSES);
		if (isComingOfAgeDue({ birthDate, on: today, rules })) {
			const beyondStay = isPastAge({ birthDate, on: today, years: rules.maxStayAge });
			if (beyondStay || random.chance(0.7)) status = 'matured';
		}

		const occupation = occupationFor(random, age);
		const fields: Partial<MemberDoc> = {};

		// The hometown first: a citizen id's first three digits are the province where the birth was
		// registered, which for these young people is the hometown's province.
		fields.hometown = random.chance(0.88)
			? random.pick(hometowns)
			: random.pick(ELSEWHERE_HOMETOWNS);
		if (random.chance(0.96)) {
			const code = provinceCodeOf(fields.hometown) ?? provinceCode;
			const centuryDigit = citizenIdCenturyDigit({ gender, birthYear });
			const yearDigits = String(birthYear % 100).padStart(2, '0');
			fields.citizenId = unique(
				usedCitizenIds,
				() => code + centuryDigit + yearDigits + digits(random, 6)
			);
			const issuedFrom = maxIso(anniversary({ birthDate, years: 14 }), '2016-01-01');
			if (issuedFrom <= today) {
				const issuedOn = random.date({ from: issuedFrom, to: today });
				fields.citizenIdIssuedOn = issuedOn;
				fields.citizenIdIssuedBy =
					issuedOn >= '2024-07-01'
						? 'Bộ Công an'
						: issuedOn >= '2021-01-01'
							? 'Cục Cảnh sát quản lý hành chính về trật tự xã hội'
							: 'Cục Cảnh sát ĐKQL cư trú và DLQG về dân cư';
			}
		}
		if (random.chance(0.88)) {
			fields.phone = unique(usedPhones, () => random.pick(PHONE_PREFIXES) + digits(random, 7));
		}
		if (random.chance(0.35)) {
			const handle = fold(name.givenName + name.familyName).replace(/[^a-z]/g, '');
			fields.email = `${handle}${random.int({ min: 1, max: 99 })}@gmail.com`;
		}
		if (joinedOn !== undefined) {
			fields.joinedOn = joinedOn;
			fields.joinedPlace = random.pick(JOINED_PLACES);
			if (random.chance(0.55)) {
				const year = joinedOn.slice(2, 4);
				fields.cardNumber = unique(
					usedCards,
					() => provinceCode.slice(1) + year + digits(random, 6)
				);
			}
		}
		if (branchIds.length > 0) fields.branchId = random.pick(branchIds);
		if (random.chance(0.08)) fields.unionPosition = random.pick(UNION_POSITIONS);
		if (random.chance(0.1)) fields.otherName = random.pick(['Tí', 'Tèo', 'Bống', 'Cò', 'Su']);

		fields.currentAddress = `khu ${random.int({ min: 1, max: 18 })}, ${locality}`;
		fields.permanentAddress = random.chance(0.9) ? fields.currentAddress : fields.hometown;

		fields.generalEducation = educationFor(random, { age, occupation });
		const studying = occupation === 'hoc-sinh' || occupation === 'sinh-vien';
		if (occupation === 'can-bo' || (age >= 19 && !studying && random.chance(0.2))) {
			fields.professionalQualification = random.pick(QUALIFICATIONS);
		}
		const theoryRoll = random.next();
		if (occupation === 'can-bo' ? theoryRoll < 0.4 : theoryRoll < 0.03) {
			fields.politicalTheory = random.chance(0.8) ? 'so-cap' : 'trung-cap';
		}
		if (random.chance(0.3)) fields.itSkill = random.pick(IT_SKILLS);
		if (random.chance(0.25)) fields.foreignLanguage = random.pick(LANGUAGES);

		const partyShare =
			occupation === 'can-bo' ? 0.3 : occupation === 'luc-luong-vu-trang' ? 0.25 : 0.05;
		// The Party admits from 18, and a Youth Union member only after her admission to the Union
		// (a member joins the Union first; the demo once had the Party in 2022, the Union in 2023).
		const partyFrom = maxIso(
			anniversary({ birthDate, years: 18 }),
			joinedOn ? addDays({ date: joinedOn, days: 180 }) : '0000-01-01'
		);
		const partyMember = age >= 19 && partyFrom <= today && random.chance(partyShare);
		if (partyMember) {
			const partyJoinedOn = random.date({ from: partyFrom, to: today });
			fields.partyJoinedOn = partyJoinedOn;
			const official = addDays({ date: partyJoinedOn, days: 365 });
			if (official <= today) fields.partyOfficialOn = official;
		} else if (random.chance(0.05)) {
			fields.partySympathizer = true;
		}

		const createdFrom = minIso(maxIso(joinedOn ?? birthDate, '2023-01-01'), today);
		const createdOn = random.date({ from: createdFrom, to: today });
		const createdAt = timestamp(random, createdOn);
		const updatedOn = random.chance(0.6) ? createdOn : random.date({ from: createdOn, to: today });
		let updatedAt = timestamp(random, updatedOn);
		if (updatedAt < createdAt) updatedAt = createdAt;

		// 61% of Phú Thọ's records were declared by members on their phones (docs/domain.md §1).
		const selfDeclared = random.chance(0.61);
		const approved = selfDeclared && random.chance(0.95);
		const provenance: MemberDoc['provenance'] = selfDeclared
			? approved
				? { source: 'self', approvedBy: createdBy, approvedAt: updatedAt }
				: { source: 'self' }
			: { source: 'unit' };

		const idTail = () => {
			let tail = idPrefix;
			while (tail.length < 16) tail += CROCKFORD_ALPHABET.charAt(random.int({ min: 0, max: 31 }));
			return tail;
		};
		const key = unique(usedIds, () => encodeUlidTime(Date.parse(createdAt)) + idTail());

		const religionTable: Table = mountain
			? [
					['Không', 94],
					['Công giáo', 3],
					['Phật giáo', 2],
					['Tin lành', 1]
				]
			: [
					['Không', 88],
					['Phật giáo', 7],
					['Công giáo', 5]
				];

		members.push({
			_id: `member:${key}`,
			type: 'member',
			v: MEMBER_SCHEMA_VERSION,
			unitId,
			familyName: name.familyName,
			middleName: name.middleName,
			givenName: name.givenName,
			gender,
			birthDate,
			ethnicCode,
			religion: random.weighted(religionTable),
			nationality: 'Việt Nam',
			partyMember,
			occupation,
			status,
			...fields,
			provenance,
			createdAt,
			createdBy,
			updatedAt,
			updatedBy: createdBy
		});
	}
	return members;
}
