import { describe, expect, it } from "vitest";
import { normalize, normalizedWords } from "../../src/lore/normalize.js";

describe("normalizedWords", () => {
  it("gives the words of normalize, for ASCII and other text alike", () => {
    const samples = [
      "",
      "   ",
      "...",
      "Klingon Empire",
      "Fek'Ihri Horde",
      "A.F.S. Khitomer",
      "U.S.S. Enterprise (NCC-1701-D)",
      "Alpha Quadrant warrior culture that fought the Vorgon at Kor'Tek in 2409; long at odds with the Hur'q.",
      "`quoted` words,and--dashes__under_scores 42nd  double  spaces",
      " 'leading and trailing' ",
      "Qo'noS · QÓNOS · Ćardassian ﬁre Ｄeep Ｓpace 9",
      "Fek’Ihri ʼnʻ ´",
    ];
    for (const text of samples) {
      const expected = normalize(text)
        .split(" ")
        .filter((word) => word !== "");
      expect(normalizedWords(text), text).toEqual(expected);
    }
  });
});
