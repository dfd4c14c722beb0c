import type { ThemeConfig } from 'antd';

// Calm and dense, like the admin consoles contact-center supervisors already know. CJK fonts come right after the
// Latin ones so that Chinese renders with Noto Sans CJK / PingFang / YaHei wherever they exist.
export const fontFamily = [
  '-apple-system',
  'BlinkMacSystemFont',
  "'Segoe UI'",
  'Roboto',
  "'Helvetica Neue'",
  'Arial',
  "'PingFang SC'",
  "'Hiragino Sans GB'",
  "'Microsoft YaHei'",
  "'Noto Sans CJK SC'",
  "'Noto Sans SC'",
  "'WenQuanYi Micro Hei'",
  'sans-serif',
].join(', ');

export const theme: ThemeConfig = {
  token: {
    colorPrimary: '#1554ad',
    colorInfo: '#1554ad',
    borderRadius: 6,
    fontFamily,
    fontSize: 14,
    colorBgLayout: '#f3f5f8',
  },
  components: {
    Layout: { siderBg: '#0f2644', headerBg: '#ffffff', headerHeight: 56, headerPadding: '0 20px' },
    Menu: {
      darkItemBg: '#0f2644',
      darkSubMenuItemBg: '#0b1e37',
      darkItemSelectedBg: '#1554ad',
      itemHeight: 38,
    },
    Table: { cellPaddingBlock: 10, headerBg: '#f7f8fa' },
  },
};
