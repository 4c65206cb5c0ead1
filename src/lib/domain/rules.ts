/**
 * The ages in the Union's membership rules. They come from the charter and its guidance (Điều lệ
 * Đoàn khóa XII, Hướng dẫn thực hiện Điều lệ) and are **configurable by the central level**: a new
 * charter may be adopted in 2026, so they are data, not logic. Raise `version` whenever a value
 * changes, so a record can say which rules it was checked against.
 *
 * Ages follow the Union's own counting: "từ 16 tuổi" means 15 full years and one more day, so an
 * age limit N is met from the day after the (N − 1)th birthday; "không quá 30 tuổi" means up to and
 * including the 30th birthday, and "quá 30 tuổi" starts the day after it.
 */
export interface MembershipRules {
	version: number;
	/** Youngest admission age, counted as above: 16 → from 15 years and one day. */
	admissionMinAge: number;
	/** Oldest admission age: admitted up to and including this birthday. */
	admissionMaxAge: number;
	/** Members past this birthday come of age (trưởng thành Đoàn) unless allowed to stay. */
	comingOfAgeAge: number;
	/** Nobody stays past this birthday, except elected officers and full-time Union staff. */
	maxStayAge: number;
}

export const DEFAULT_RULES: Readonly<MembershipRules> = Object.freeze({
	version: 1,
	admissionMinAge: 16,
	admissionMaxAge: 30,
	comingOfAgeAge: 30,
	maxStayAge: 35
});
