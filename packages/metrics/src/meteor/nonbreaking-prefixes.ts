/**
 * English nonbreaking prefixes for METEOR's normalizer (`nonbreaking/english.prefixes` inside
 * meteor-1.5.jar, "taken from Moses Rev 3881"). Transcribed from Moses'
 * `scripts/share/nonbreaking_prefixes/nonbreaking_prefix.en`; the current Moses file also lists
 * month abbreviations and "Rs", which may postdate Rev 3881 — they are capitalised, so they never
 * matter for the lower-cased captions pycocoevalcap sends.
 */
export const NBP_ANY = 1;
export const NBP_NUM_ONLY = 2;

const ANY = [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  'Adj', 'Adm', 'Adv', 'Asst', 'Bart', 'Bldg', 'Brig', 'Bros', 'Capt', 'Cmdr', 'Col', 'Comdr', 'Con', 'Corp',
  'Cpl', 'DR', 'Dr', 'Drs', 'Ens', 'Gen', 'Gov', 'Hon', 'Hr', 'Hosp', 'Insp', 'Lt', 'MM', 'MR', 'MRS', 'MS',
  'Maj', 'Messrs', 'Mlle', 'Mme', 'Mr', 'Mrs', 'Ms', 'Msgr', 'Op', 'Ord', 'Pfc', 'Ph', 'Prof', 'Pvt', 'Rep',
  'Reps', 'Res', 'Rev', 'Rt', 'Sen', 'Sens', 'Sfc', 'Sgt', 'Sr', 'St', 'Supt', 'Surg',
  'v', 'vs', 'i.e', 'rev', 'e.g', 'Rs', 'Nos', 'Nr',
  'Jan', 'Feb', 'Mar', 'Apr', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec',
];
const NUM_ONLY = ['No', 'Art', 'pp'];

export const NONBREAKING_PREFIXES_EN: ReadonlyMap<string, number> = new Map([
  ...ANY.map((p) => [p, NBP_ANY] as const),
  ...NUM_ONLY.map((p) => [p, NBP_NUM_ONLY] as const),
]);
