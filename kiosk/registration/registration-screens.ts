import type { SnapshotFrom } from 'xstate';
import type { KioskAction, KioskScreen, Tri } from '../display/kiosk-types.ts';
import type { RegistrationRefusal, RegistrationState, registrationMachine } from './registration-machine.ts';

const tri = (zhHant: string, en: string, zhHans: string): Tri => ({ 'zh-Hant': zhHant, en, 'zh-Hans': zhHans });

/** Refusals in words a visitor understands, with what to do next. */
export const REFUSALS: Record<RegistrationRefusal, Tri> = {
  DOCUMENT_NOT_ELIGIBLE: tri('此證件不適用於e-道登記，請前往櫃檯。', 'This document cannot be enrolled for e-Channel. Please go to the counter.', '此证件不适用于e-道登记，请前往柜台。'),
  CHIP_NOT_GENUINE: tri('未能確認護照晶片的真確性，請前往櫃檯。', 'We could not confirm that the passport chip is genuine. Please go to the counter.', '未能确认护照芯片的真实性，请前往柜台。'),
  CHIP_UNREADABLE: tri('未能讀取護照晶片，請重新放置護照再試。', 'We could not read the passport chip. Please place it again and retry.', '未能读取护照芯片，请重新放置护照再试。'),
  FACE_NO_MATCH: tri('你的面容與護照相片不符，請前往櫃檯。', 'Your face does not match the passport photo. Please go to the counter.', '你的面容与护照相片不符，请前往柜台。'),
  PRESENTATION_ATTACK: tri('請親身面向鏡頭。請前往櫃檯。', 'Please face the camera in person. Please go to the counter.', '请亲身面向镜头。请前往柜台。'),
  ENROL_FAILED: tri('暫時未能完成登記，請前往櫃檯。', 'Enrolment could not be completed. Please go to the counter.', '暂时未能完成登记，请前往柜台。'),
};

/** Live-capture guidance for the quality problems the face engine reports. */
const GUIDANCE: Record<string, Tri> = {
  no_face: tri('請望向鏡頭', 'Look at the camera', '请望向镜头'),
  several_faces: tri('鏡頭前只限一人', 'Only one person in view, please', '镜头前只限一人'),
  too_small: tri('請走近一點', 'Please come closer', '请走近一点'),
  pose: tri('請正面望向鏡頭', 'Face the camera straight on', '请正面望向镜头'),
  blur: tri('請保持不動', 'Please hold still', '请保持不动'),
};

/** PDPO notice: what is kept, for how long, the right to withdraw (shown before any capture). */
const CONSENT_LINES: Tri[] = [
  tri('我們只保存由你面容計算出的面部模板，不保存相片及護照號碼。', 'We keep only a face template computed from your face — no photo and no passport number.', '我们只保存由你面容计算出的面部模板，不保存相片及护照号码。'),
  tri('模板加密保存，至你的護照有效期屆滿為止，只用於e-道核實身份。', 'It is kept encrypted until your passport expires, and used only to verify you at the e-Channel.', '模板加密保存，至你的护照有效期届满为止，只用于e-道核实身份。'),
  tri('你可隨時在任何櫃檯撤回同意，模板會被刪除（《個人資料（私隱）條例》）。', 'You may withdraw consent at any counter at any time; the template is then deleted (Personal Data (Privacy) Ordinance).', '你可随时在任何柜台撤回同意，模板会被删除（《个人资料（私隐）条例》）。'),
];

const START: KioskAction = { id: 'start', label: tri('開始登記', 'Start enrolment', '开始登记'), primary: true };

/**
 * The screen for a snapshot of the registration statechart: a pure function, so the page,
 * the simulation and the tests see the same thing. Never shows a document number.
 */
export function registrationScreen(snap: SnapshotFrom<typeof registrationMachine>): KioskScreen {
  const state = snap.value as RegistrationState;
  const c = snap.context;
  const screen = (tone: KioskScreen['tone'], title: Tri, lines: Tri[], actions: KioskAction[], awaitsVisitor: boolean): KioskScreen => ({ id: state, tone, title, lines, actions, awaitsVisitor });
  switch (state) {
    case 'welcome':
      return screen('neutral', tri('e-道自助登記', 'e-Channel self-registration', 'e-道自助登记'), [tri('訪客可登記使用e-道。', 'Visitors can enrol to use the e-Channel.', '访客可登记使用e-道。')], [START], false);
    case 'awaitingPassport':
      return screen('neutral', tri('請把護照相片頁向下放在讀取器上', 'Place your passport photo page down on the reader', '请把护照相片页向下放在读取器上'), [], [], true);
    case 'checkingDocument':
      return screen('wait', tri('正在核實護照…', 'Checking your passport…', '正在核实护照…'), [tri('請勿移開護照', 'Keep the passport on the reader', '请勿移开护照')], [], false);
    case 'consent':
      return screen('neutral', tri('登記前請細閱', 'Before you enrol', '登记前请细阅'), CONSENT_LINES, [
        { id: 'agree', label: tri('我同意', 'I agree', '我同意'), primary: true },
        { id: 'decline', label: tri('不同意', 'I do not agree', '不同意') },
      ], true);
    case 'capturing':
      return screen('neutral', tri('請望向鏡頭', 'Look at the camera', '请望向镜头'), c.guidance && GUIDANCE[c.guidance] ? [GUIDANCE[c.guidance]!] : [], [], false);
    case 'retry': {
      const left = c.maxAttempts - c.attempts;
      return screen('wait', tri('請再試一次', 'Please try again', '请再试一次'), [tri(`尚餘 ${left} 次`, `${left} ${left === 1 ? 'try' : 'tries'} left`, `尚余 ${left} 次`)], [{ id: 'again', label: tri('再試', 'Try again', '再试'), primary: true }], true);
    }
    case 'enrolling':
    case 'printing':
      return screen('wait', tri('正在登記…', 'Enrolling…', '正在登记…'), [], [], false);
    case 'done':
      return screen('go', tri('登記成功', 'Enrolment done', '登记成功'), [
        c.slipPrinted
          ? tri('請取回護照及登記單。', 'Take your passport and your slip.', '请取回护照及登记单。')
          : tri(`未能列印登記單。參考編號：${c.enrolment?.reference ?? ''}`, `The slip could not be printed. Reference: ${c.enrolment?.reference ?? ''}`, `未能打印登记单。参考编号：${c.enrolment?.reference ?? ''}`),
        tri(`有效至 ${c.enrolment?.validUntil ?? ''}`, `Valid until ${c.enrolment?.validUntil ?? ''}`, `有效至 ${c.enrolment?.validUntil ?? ''}`),
      ], [], false);
    case 'refused':
      return screen('stop', tri('未能登記', 'Enrolment not possible', '未能登记'), [REFUSALS[c.refusal ?? 'ENROL_FAILED'], tri('請取回護照。', 'Take your passport.', '请取回护照。')], [], false);
    case 'declined':
      return screen('neutral', tri('你沒有登記', 'You have not enrolled', '你没有登记'), [tri('沒有保存任何資料。請取回護照。', 'Nothing was kept. Take your passport.', '没有保存任何资料。请取回护照。')], [], false);
  }
}
