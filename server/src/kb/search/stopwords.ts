// Words too common to help a search: dropped from the index and from queries (unless a query has nothing else).
const chinese = `的 了 是 我 你 他 她 它 吗 呢 吧 啊 呀 哦 嗯 在 和 与 及 或 就 都 也 还 把 被 让 给 对 从 向 着 过 得 地
怎么 怎么办 怎样 如何 什么 为什么 请问 一下 可以 能 要 想 有 这个 那个 这 那 个 您 们 我们 你们 他们 一个 哪里 哪儿
多少 好 谢谢 请 帮 帮忙 麻烦 一 下 吗 么 之 其 该 如果 但是 而且 因为 所以 已经 现在 然后 还是 或者 就是 不是 没`;
const english = `a an the and or but of to in on at for with by from as is are was were be been being am it its this that
these those i me my mine you your yours we our us he him his she her they them their what which who whom how why
when where do does did doing done have has had having can could would should will shall may might must please hi
hello hey there thanks thank ok okay so if then than too very just also about into out up down over any some`;

const words = new Set([...chinese.split(/\s+/), ...english.split(/\s+/)].filter(Boolean));

export const isStopword = (word: string): boolean => words.has(word);
