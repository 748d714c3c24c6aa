import type { PortraitRuleId } from '../../config/sections/portrait.ts';
import * as map from './mapping.ts';
import type { RawMeasures } from './measures.ts';

/** An applicant-facing sentence in English, Traditional Chinese (Hong Kong) and Simplified Chinese. */
export interface Wording {
  en: string;
  zhHant: string;
  zhHans: string;
}

export interface Rule {
  id: PortraitRuleId;
  /** The raw value reported for this rule (a number; see RawMeasures for units). */
  raw: (m: RawMeasures) => number;
  score: (m: RawMeasures) => number;
  /** What the applicant reads when the rule fails (may depend on the direction of the fault). */
  failing: (m: RawMeasures) => Wording;
}

const w = (en: string, zhHant: string, zhHans: string): Wording => ({ en, zhHant, zhHans });
const fixed = (x: Wording) => (): Wording => x;

const CROP_SIDES = ['left', 'right', 'above', 'below'] as const;
const worstCrop = (m: RawMeasures): (typeof CROP_SIDES)[number] =>
  CROP_SIDES.reduce((a, b) => (map.cropScores[b](m.crop[b]) < map.cropScores[a](m.crop[a]) ? b : a));

/** The rules in the order an applicant should fix them (the photo itself first, then pose, then light). */
export const RULES: readonly Rule[] = [
  { id: 'oneFace', raw: (m) => m.faces, score: (m) => map.oneFaceScore(m.faces),
    failing: (m) => (m.faces === 0
      ? w('No face can be seen in the photo', '相片中看不到面孔', '相片中看不到面孔')
      : w('Only you may be in the photo', '相片中只可有閣下一人', '相片中只可有您一人')) },
  { id: 'resolution', raw: (m) => m.interEyePx, score: (m) => map.interEyeScore(m.interEyePx),
    failing: fixed(w('The photo is too small or has too little detail', '相片太小或不夠清晰細緻', '相片太小或不够清晰细致')) },
  { id: 'margins', raw: (m) => m.crop[worstCrop(m)], score: (m) => Math.min(...CROP_SIDES.map((s) => map.cropScores[s](m.crop[s]))),
    failing: fixed(w('Part of your head is cut off or too close to the edge of the photo', '頭部部分被裁去或太貼近相片邊緣', '头部部分被裁去或太贴近相片边缘')) },
  { id: 'centred', raw: (m) => m.centreOffset, score: (m) => map.centredScore(m.centreOffset),
    failing: fixed(w('Your face is not in the middle of the photo', '面部不在相片中央', '面部不在相片中央')) },
  { id: 'headSize', raw: (m) => m.headSize, score: (m) => map.headSizeScore(m.headSize),
    failing: (m) => (m.headSize < map.HEAD_SIZE_CENTRE
      ? w('Your head is too small in the photo', '頭部在相片中太小', '头部在相片中太小')
      : w('Your head is too large in the photo', '頭部在相片中太大', '头部在相片中太大')) },
  { id: 'roll', raw: (m) => m.roll, score: (m) => map.poseScore(m.roll),
    failing: fixed(w('Your head is tilted', '頭部傾側', '头部倾侧')) },
  { id: 'yaw', raw: (m) => m.yaw, score: (m) => map.poseScore(m.yaw),
    failing: fixed(w('Your head is turned to one side — face the camera', '頭部轉向一側 — 請正面望向鏡頭', '头部转向一侧 — 请正面望向镜头')) },
  { id: 'pitch', raw: (m) => m.pitch, score: (m) => map.poseScore(m.pitch),
    failing: fixed(w('Your head is tipped up or down', '頭部向上仰或向下垂', '头部向上仰或向下垂')) },
  { id: 'eyesOpen', raw: (m) => m.eyesOpen, score: (m) => map.eyesOpenScore(m.eyesOpen),
    failing: fixed(w('Your eyes must be open', '眼睛必須張開', '眼睛必须睁开')) },
  { id: 'mouthClosed', raw: (m) => m.mouthOpen, score: (m) => map.mouthClosedScore(m.mouthOpen),
    failing: fixed(w('Your mouth must be closed', '嘴巴必須合上', '嘴巴必须闭上')) },
  { id: 'backgroundUniform', raw: (m) => m.backgroundGradient, score: (m) => map.backgroundUniformityScore(m.backgroundGradient),
    failing: fixed(w('The background must be plain, with no patterns or objects', '背景必須為單一純色，不可有圖案或物件', '背景必须为单一纯色，不可有图案或物件')) },
  { id: 'backgroundLight', raw: (m) => m.backgroundLuminance, score: (m) => map.backgroundLightScore(m.backgroundLuminance),
    failing: fixed(w('The background must be light-coloured', '背景必須為淺色', '背景必须为浅色')) },
  { id: 'exposure', raw: (m) => m.faceLuminance, score: (m) => map.exposureScore(m.faceLuminance),
    failing: (m) => (m.faceLuminance < 0.5 ? w('The photo is too dark', '相片太暗', '相片太暗') : w('The photo is too bright', '相片太光', '相片太亮')) },
  { id: 'contrast', raw: (m) => m.faceEntropy, score: (m) => map.contrastScore(m.faceEntropy),
    failing: fixed(w('The photo looks faded or flat', '相片褪色或對比不足', '相片褪色或对比度不足')) },
  { id: 'sharpness', raw: (m) => m.sharpness, score: (m) => map.sharpnessScore(m.sharpness),
    failing: fixed(w('The photo is blurred', '相片模糊', '相片模糊')) },
  { id: 'shadow', raw: (m) => m.illuminationUniformity, score: (m) => map.shadowScore(m.illuminationUniformity),
    failing: fixed(w('There is a shadow on your face', '面部有陰影', '面部有阴影')) },
  { id: 'colour', raw: (m) => m.colourDistance, score: (m) => map.colourScore(m.colourDistance),
    failing: fixed(w('The colours of the photo look unnatural', '相片顏色不自然', '相片颜色不自然')) },
];

export const RULE_IDS: readonly PortraitRuleId[] = RULES.map((r) => r.id);
