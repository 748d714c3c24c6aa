import type { KioskScreen, Tri } from '../display/kiosk-types.ts';

const t = (en: string, hant: string, hans: string): Tri => ({ en, 'zh-Hant': hant, 'zh-Hans': hans });

const SCREENS: Record<string, Omit<KioskScreen, 'id'>> = {
  scan_slip: { tone: 'neutral', title: t('Collect your identity card', '領取身份證', '领取身份证'), lines: [t('Hold your collection slip’s QR code under the scanner.', '請將領證通知書上的二維碼放在掃描器下。', '请将领证通知书上的二维码放在扫描器下。')], actions: [], awaitsVisitor: false },
  please_wait: { tone: 'wait', title: t('Please wait', '請稍候', '请稍候'), lines: [t('Your card is being checked.', '正在核對您的身份證。', '正在核对您的身份证。')], actions: [], awaitsVisitor: false },
  look_at_camera: { tone: 'wait', title: t('Look at the camera', '請望向鏡頭', '请望向镜头'), lines: [t('Stand still and face the camera.', '請保持不動並面向鏡頭。', '请保持不动并面向镜头。')], actions: [], awaitsVisitor: false },
  take_card: { tone: 'go', title: t('Take your card', '請取回身份證', '请取回身份证'), lines: [t('Your card is at the lit slot. Take it now.', '身份證在亮燈的出卡口，請即取回。', '身份证在亮灯的出卡口，请即取回。')], actions: [], awaitsVisitor: false },
  collected: { tone: 'go', title: t('Thank you', '多謝', '谢谢'), lines: [t('You have collected your identity card.', '您已領取身份證。', '您已领取身份证。')], actions: [], awaitsVisitor: false },
  go_to_counter: { tone: 'stop', title: t('Please go to the counter', '請往櫃位辦理', '请往柜位办理'), lines: [t('Your card could not be issued here. An officer will help you.', '未能在此發出您的身份證，職員會協助您。', '未能在此发出您的身份证，职员会协助您。')], actions: [], awaitsVisitor: false },
  out_of_service: { tone: 'stop', title: t('Out of service', '暫停服務', '暂停服务'), lines: [t('Please use another kiosk or go to the counter.', '請使用其他自助服務機或往櫃位辦理。', '请使用其他自助服务机或往柜位办理。')], actions: [], awaitsVisitor: false },
};

/** The touch page's screen for a collectionScreen() id (no buttons: the resident only scans, looks and takes). */
export function collectionKioskScreen(id: string): KioskScreen {
  return { id, ...(SCREENS[id] ?? SCREENS.go_to_counter!) };
}
