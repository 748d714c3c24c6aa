import type { KioskScreen, Tri } from '../display/kiosk-types.ts';
import type { QualityIssue } from '../biometrics/index.ts';

/** What the station is doing, as the visitor's small screen and the officer page both see it. */
export type CounterStep = 'ready' | 'checking' | 'capturing' | 'review' | 'accepted' | 'referred';

const T = (en: string, zhHant: string, zhHans: string): Tri => ({ en, 'zh-Hant': zhHant, 'zh-Hans': zhHans });

const TITLES: Record<CounterStep, Tri> = {
  ready: T('Please place your passport on the reader', '請把護照放在閱讀器上', '请把护照放在阅读器上'),
  checking: T('Reading your passport…', '正在讀取護照…', '正在读取护照…'),
  capturing: T('Please look at the camera', '請望向鏡頭', '请望向镜头'),
  review: T('Thank you. The officer is checking', '謝謝。職員正在核對', '谢谢。职员正在核对'),
  accepted: T('Thank you. Please take your passport', '謝謝。請取回護照', '谢谢。请取回护照'),
  referred: T('Please wait; an officer will assist you', '請稍候，職員會協助你', '请稍候，职员会协助你'),
};

/** Guidance while the camera looks (the face engine's quality issues in the visitor's words). */
export const GUIDANCE: Partial<Record<QualityIssue, Tri>> = {
  no_face: T('Stand in front of the camera', '請站在鏡頭前', '请站在镜头前'),
  several_faces: T('Only you in front of the camera, please', '鏡頭前只可有你一人', '镜头前只可有你一人'),
  too_small: T('Please come a little closer', '請走近一點', '请走近一点'),
  pose: T('Please face the camera straight', '請正面望向鏡頭', '请正面望向镜头'),
  blur: T('Please keep still', '請保持不動', '请保持不动'),
  too_dark: T('Please look up into the light', '請抬頭面向燈光', '请抬头面向灯光'),
  too_bright: T('Please step out of the bright light', '請避開強光', '请避开强光'),
  eyes_closed: T('Please keep your eyes open', '請張開眼睛', '请张开眼睛'),
};

/** The visitor's screen: words only, never a name, number or image; the visitor taps nothing (the officer decides). */
export function counterScreen(step: CounterStep, guidance: QualityIssue | null): KioskScreen {
  const tone = step === 'accepted' ? 'go' : step === 'referred' ? 'stop' : step === 'ready' ? 'neutral' : 'wait';
  const hint = step === 'capturing' && guidance ? GUIDANCE[guidance] : undefined;
  return { id: step, tone, title: TITLES[step], lines: hint ? [hint] : [], actions: [], awaitsVisitor: false };
}
