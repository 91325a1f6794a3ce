/**
 * Word lists for realistic customer names in several scripts. Each word carries an ASCII slug,
 * because an `onmicrosoft.com` domain is ASCII whatever the company's name is written in.
 */
import type { Rng } from '../server/random.js';

/** A word as shown, and its romanised slug (lowercase a-z only). */
export type Word = readonly [shown: string, slug: string];

/** The longest slug put in a customer's `onmicrosoft.com` domain. */
const MAX_SLUG_LENGTH = 20;

/**
 * A company name, prepared once for the page writer (which copies bytes rather than encode
 * strings).
 */
export interface CompanyName {
  readonly shown: string;
  /** `shown` in lower case, for case-insensitive searches. */
  readonly lowerShown: string;
  /** Lowercase a-z only, at most 20 letters: the start of the customer's initial domain. */
  readonly slug: string;
  /** `shown` as a JSON string literal, UTF-8. */
  readonly json: Buffer;
  readonly slugBytes: Buffer;
}

export interface LocaleGroup {
  readonly key: string;
  /** Relative share of customers. */
  readonly weight: number;
  readonly culture: string;
  readonly language: string;
  readonly country: string;
  readonly tld: string;
  /** City, region (state), postal code, phone prefix. */
  readonly cities: readonly (readonly [city: string, region: string, postalCode: string])[];
  readonly phonePrefix: string;
  readonly firstNames: readonly Word[];
  readonly lastNames: readonly Word[];
  readonly street: (rng: Rng) => string;
  readonly company: (rng: Rng) => CompanyName;
}

function joinWords(parts: readonly Word[], separator: string): Word {
  return [parts.map((part) => part[0]).join(separator), parts.map((part) => part[1]).join('')];
}

/**
 * Remembers each name built from a combination of picks (a few thousand in all), with its encoded
 * forms, so deriving a customer allocates no name and writing one copies ready bytes.
 */
function memoised(build: (picks: readonly number[]) => Word, sizes: readonly number[]) {
  const cache = new Map<number, CompanyName>();
  return (rng: Rng): CompanyName => {
    let key = 0;
    for (const size of sizes) key = key * size + rng.below(size);
    let name = cache.get(key);
    if (!name) {
      const picks: number[] = [];
      let rest = key;
      for (let n = sizes.length - 1; n >= 0; n--) {
        picks[n] = rest % sizes[n];
        rest = Math.floor(rest / sizes[n]);
      }
      const [shown, fullSlug] = build(picks);
      const slug = fullSlug.slice(0, MAX_SLUG_LENGTH);
      name = {
        shown,
        lowerShown: shown.toLowerCase(),
        slug,
        json: Buffer.from(JSON.stringify(shown), 'utf8'),
        slugBytes: Buffer.from(slug, 'latin1'),
      };
      cache.set(key, name);
    }
    return name;
  };
}

/** Latin-script companies: a family name, a trade, a legal form, in either order. */
function latinCompany(
  surnames: readonly Word[],
  trades: readonly Word[],
  forms: readonly string[],
) {
  return memoised(
    ([surnameIndex, tradeIndex, formIndex, order]) => {
      const surname = surnames[surnameIndex];
      const trade = trades[tradeIndex];
      const form = forms[formIndex];
      const name =
        order === 0 ? joinWords([trade, surname], ' ') : joinWords([surname, trade], ' ');
      return [form ? `${name[0]} ${form}` : name[0], name[1]];
    },
    [surnames.length, trades.length, forms.length, 3],
  );
}

const englishBrands: readonly Word[] = [
  ['Contoso', 'contoso'],
  ['Fabrikam', 'fabrikam'],
  ['Northwind Traders', 'northwindtraders'],
  ['Tailspin Toys', 'tailspintoys'],
  ['Wingtip Toys', 'wingtiptoys'],
  ['Adventure Works', 'adventureworks'],
  ['Litware', 'litware'],
  ['Proseware', 'proseware'],
  ['Woodgrove Bank', 'woodgrovebank'],
  ['Alpine Ski House', 'alpineskihouse'],
  ['Coho Winery', 'cohowinery'],
  ['Lucerne Publishing', 'lucernepublishing'],
  ["Margie's Travel", 'margiestravel'],
  ['Trey Research', 'treyresearch'],
  ['Wide World Importers', 'wideworldimporters'],
  ['Fourth Coffee', 'fourthcoffee'],
  ['Humongous Insurance', 'humongousinsurance'],
  ['Relecloud', 'relecloud'],
  ['Blue Yonder Airlines', 'blueyonderairlines'],
  ['Southridge Video', 'southridgevideo'],
  ['VanArsdel', 'vanarsdel'],
  ['Bellows College', 'bellowscollege'],
  ['Best For You Organics', 'bestforyouorganics'],
  ['Consolidated Messenger', 'consolidatedmessenger'],
  ['Lamna Healthcare', 'lamnahealthcare'],
  ['Nod Publishers', 'nodpublishers'],
  ['Tailwind Traders', 'tailwindtraders'],
  ['First Up Consultants', 'firstupconsultants'],
  ['Graphic Design Institute', 'graphicdesigninstitute'],
];

const englishForms = ['', 'Ltd', 'Inc.', 'LLC', 'Group', 'Holdings', 'Corp.'];

const korean = {
  prefixes: [
    ['한빛', 'hanbit'],
    ['새롬', 'saerom'],
    ['미래', 'mirae'],
    ['푸른', 'pureun'],
    ['다온', 'daon'],
    ['아름', 'areum'],
    ['누리', 'nuri'],
    ['한결', 'hangyeol'],
    ['서울', 'seoul'],
    ['부산', 'busan'],
    ['하늘', 'haneul'],
    ['별빛', 'byeolbit'],
  ] as const satisfies readonly Word[],
  trades: [
    ['소프트', 'soft'],
    ['테크', 'tech'],
    ['정보통신', 'ict'],
    ['건설', 'construction'],
    ['물산', 'trading'],
    ['식품', 'foods'],
    ['솔루션', 'solutions'],
    ['네트웍스', 'networks'],
    ['에너지', 'energy'],
    ['디자인', 'design'],
  ] as const satisfies readonly Word[],
};

const japanese = {
  prefixes: [
    ['さくら', 'sakura'],
    ['富士', 'fuji'],
    ['大和', 'yamato'],
    ['青空', 'aozora'],
    ['東京', 'tokyo'],
    ['みらい', 'mirai'],
    ['ひかり', 'hikari'],
    ['北斗', 'hokuto'],
    ['日本橋', 'nihonbashi'],
    ['やまびこ', 'yamabiko'],
    ['葵', 'aoi'],
    ['銀河', 'ginga'],
  ] as const satisfies readonly Word[],
  trades: [
    ['テック', 'tech'],
    ['商事', 'shoji'],
    ['システム', 'systems'],
    ['工業', 'kogyo'],
    ['物産', 'bussan'],
    ['ソリューションズ', 'solutions'],
    ['電機', 'denki'],
    ['建設', 'kensetsu'],
    ['食品', 'shokuhin'],
    ['コンサルティング', 'consulting'],
  ] as const satisfies readonly Word[],
};

const pickStreet =
  (names: readonly string[], pattern: (name: string, number: number) => string) => (rng: Rng) =>
    pattern(rng.pick(names), 1 + rng.below(240));

export const localeGroups: readonly LocaleGroup[] = [
  {
    key: 'en',
    weight: 30,
    culture: 'en-US',
    language: 'en',
    country: 'US',
    tld: 'com',
    phonePrefix: '+1 425',
    cities: [
      ['Redmond', 'WA', '98052'],
      ['Seattle', 'WA', '98101'],
      ['Austin', 'TX', '73301'],
      ['Boston', 'MA', '02108'],
    ],
    firstNames: [
      ['Alex', 'alex'],
      ['Jordan', 'jordan'],
      ['Taylor', 'taylor'],
      ['Morgan', 'morgan'],
      ['Casey', 'casey'],
    ],
    lastNames: [
      ['Smith', 'smith'],
      ['Johnson', 'johnson'],
      ['Lee', 'lee'],
      ['Garcia', 'garcia'],
      ['Brown', 'brown'],
    ],
    street: pickStreet(
      ['Main Street', 'Microsoft Way', 'Pine Avenue', 'Lake Drive'],
      (name, n) => `${n} ${name}`,
    ),
    company: memoised(
      ([brandIndex, formIndex]) => {
        const brand = englishBrands[brandIndex];
        const form = englishForms[formIndex];
        return [form ? `${brand[0]} ${form}` : brand[0], brand[1]];
      },
      [englishBrands.length, englishForms.length],
    ),
  },
  {
    key: 'de',
    weight: 10,
    culture: 'de-DE',
    language: 'de',
    country: 'DE',
    tld: 'de',
    phonePrefix: '+49 89',
    cities: [
      ['München', 'BY', '80331'],
      ['Köln', 'NW', '50667'],
      ['Düsseldorf', 'NW', '40213'],
      ['Nürnberg', 'BY', '90402'],
    ],
    firstNames: [
      ['Jürgen', 'juergen'],
      ['Käthe', 'kaethe'],
      ['Björn', 'bjoern'],
      ['Sören', 'soeren'],
      ['Anna', 'anna'],
    ],
    lastNames: [
      ['Müller', 'mueller'],
      ['Schäfer', 'schaefer'],
      ['Groß', 'gross'],
      ['Köhler', 'koehler'],
      ['Weiß', 'weiss'],
    ],
    street: pickStreet(
      ['Königstraße', 'Hauptstraße', 'Schloßallee', 'Mühlenweg'],
      (name, n) => `${name} ${n}`,
    ),
    company: latinCompany(
      [
        ['Müller', 'mueller'],
        ['Schäfer', 'schaefer'],
        ['Groß', 'gross'],
        ['Köhler', 'koehler'],
        ['Jäger', 'jaeger'],
        ['Böhm', 'boehm'],
      ],
      [
        ['Bäckerei', 'baeckerei'],
        ['Maschinenbau', 'maschinenbau'],
        ['Büroservice', 'bueroservice'],
        ['Gebäudetechnik', 'gebaeudetechnik'],
        ['Logistik', 'logistik'],
      ],
      ['GmbH', 'AG', 'GmbH & Co. KG', 'e.K.'],
    ),
  },
  {
    key: 'fr',
    weight: 10,
    culture: 'fr-FR',
    language: 'fr',
    country: 'FR',
    tld: 'fr',
    phonePrefix: '+33 1',
    cities: [
      ['Paris', 'IDF', '75001'],
      ['Orléans', 'CVL', '45000'],
      ['Besançon', 'BFC', '25000'],
      ['Nîmes', 'OCC', '30000'],
    ],
    firstNames: [
      ['Hélène', 'helene'],
      ['François', 'francois'],
      ['Zoé', 'zoe'],
      ['Jérôme', 'jerome'],
      ['Noël', 'noel'],
    ],
    lastNames: [
      ['Lefèvre', 'lefevre'],
      ['Bézier', 'bezier'],
      ['Mercier', 'mercier'],
      ['Lemaître', 'lemaitre'],
      ['Dubois', 'dubois'],
    ],
    street: pickStreet(
      [
        'rue de la Paix',
        'avenue des Champs-Élysées',
        'boulevard Saint-Michel',
        'place de l’Église',
      ],
      (name, n) => `${n} ${name}`,
    ),
    company: latinCompany(
      [
        ['Lefèvre', 'lefevre'],
        ['Bézier', 'bezier'],
        ['Lemaître', 'lemaitre'],
        ['Gérard', 'gerard'],
        ['Benoît', 'benoit'],
        ['Chevalier', 'chevalier'],
      ],
      [
        ['Électricité', 'electricite'],
        ['Pâtisserie', 'patisserie'],
        ['Conseil', 'conseil'],
        ['Fromagerie', 'fromagerie'],
        ['Rénovation', 'renovation'],
      ],
      ['SARL', 'SA', 'SAS', '& Fils'],
    ),
  },
  {
    key: 'es',
    weight: 8,
    culture: 'es-ES',
    language: 'es',
    country: 'ES',
    tld: 'es',
    phonePrefix: '+34 91',
    cities: [
      ['Madrid', 'M', '28001'],
      ['Málaga', 'MA', '29001'],
      ['Córdoba', 'CO', '14001'],
      ['León', 'LE', '24001'],
    ],
    firstNames: [
      ['José', 'jose'],
      ['María', 'maria'],
      ['Iñigo', 'inigo'],
      ['Lucía', 'lucia'],
      ['Ramón', 'ramon'],
    ],
    lastNames: [
      ['Peña', 'pena'],
      ['Núñez', 'nunez'],
      ['Martínez', 'martinez'],
      ['Gómez', 'gomez'],
      ['Ibáñez', 'ibanez'],
    ],
    street: pickStreet(
      ['Calle Mayor', 'Avenida de la Constitución', 'Plaza de España', 'Calle Alcalá'],
      (name, n) => `${name}, ${n}`,
    ),
    company: latinCompany(
      [
        ['Peña', 'pena'],
        ['Núñez', 'nunez'],
        ['Ibáñez', 'ibanez'],
        ['Muñoz', 'munoz'],
        ['Castaño', 'castano'],
        ['Gómez', 'gomez'],
      ],
      [
        ['Construcciones', 'construcciones'],
        ['Diseño', 'diseno'],
        ['Logística', 'logistica'],
        ['Asesoría', 'asesoria'],
        ['Informática', 'informatica'],
      ],
      ['S.A.', 'S.L.', 'y Asociados', ''],
    ),
  },
  {
    key: 'pt',
    weight: 6,
    culture: 'pt-BR',
    language: 'pt',
    country: 'BR',
    tld: 'com.br',
    phonePrefix: '+55 11',
    cities: [
      ['São Paulo', 'SP', '01000-000'],
      ['Brasília', 'DF', '70000-000'],
      ['Maceió', 'AL', '57000-000'],
      ['Belém', 'PA', '66000-000'],
    ],
    firstNames: [
      ['João', 'joao'],
      ['Conceição', 'conceicao'],
      ['Antônio', 'antonio'],
      ['Fábio', 'fabio'],
      ['Luís', 'luis'],
    ],
    lastNames: [
      ['Gonçalves', 'goncalves'],
      ['Simões', 'simoes'],
      ['Magalhães', 'magalhaes'],
      ['Araújo', 'araujo'],
      ['Conceição', 'conceicao'],
    ],
    street: pickStreet(
      ['Rua das Flores', 'Avenida Paulista', 'Praça da Sé', 'Rua São Bento'],
      (name, n) => `${name}, ${n}`,
    ),
    company: latinCompany(
      [
        ['Gonçalves', 'goncalves'],
        ['Simões', 'simoes'],
        ['Magalhães', 'magalhaes'],
        ['Araújo', 'araujo'],
        ['Assunção', 'assuncao'],
      ],
      [
        ['Comércio', 'comercio'],
        ['Tecnologia', 'tecnologia'],
        ['Serviços', 'servicos'],
        ['Construções', 'construcoes'],
        ['Alimentação', 'alimentacao'],
      ],
      ['Ltda.', 'S.A.', 'ME', 'EIRELI'],
    ),
  },
  {
    key: 'nordic',
    weight: 8,
    culture: 'sv-SE',
    language: 'sv',
    country: 'SE',
    tld: 'se',
    phonePrefix: '+46 8',
    cities: [
      ['Göteborg', 'O', '411 01'],
      ['Malmö', 'M', '211 01'],
      ['Västerås', 'U', '721 01'],
      ['Norrköping', 'E', '601 01'],
    ],
    firstNames: [
      ['Åsa', 'asa'],
      ['Björn', 'bjorn'],
      ['Søren', 'soren'],
      ['Märta', 'marta'],
      ['Øystein', 'oystein'],
    ],
    lastNames: [
      ['Åström', 'astrom'],
      ['Håkansson', 'hakansson'],
      ['Ørsted', 'orsted'],
      ['Sjöberg', 'sjoberg'],
      ['Lindqvist', 'lindqvist'],
    ],
    street: pickStreet(
      ['Storgatan', 'Kungsgatan', 'Drottninggatan', 'Sjövägen'],
      (name, n) => `${name} ${n}`,
    ),
    company: latinCompany(
      [
        ['Åström', 'astrom'],
        ['Håkansson', 'hakansson'],
        ['Ørsted', 'orsted'],
        ['Sjöberg', 'sjoberg'],
        ['Æbeltoft', 'aebeltoft'],
      ],
      [
        ['Løsninger', 'losninger'],
        ['Byggnad', 'byggnad'],
        ['Fiskeriet', 'fiskeriet'],
        ['Möbler', 'mobler'],
        ['Rådgivning', 'radgivning'],
      ],
      ['AB', 'AS', 'ApS', 'Oy'],
    ),
  },
  {
    key: 'central',
    weight: 6,
    culture: 'pl-PL',
    language: 'pl',
    country: 'PL',
    tld: 'pl',
    phonePrefix: '+48 22',
    cities: [
      ['Łódź', '10', '90-001'],
      ['Kraków', '12', '30-001'],
      ['Gdańsk', '22', '80-001'],
      ['Poznań', '30', '60-001'],
    ],
    firstNames: [
      ['Łukasz', 'lukasz'],
      ['Małgorzata', 'malgorzata'],
      ['Jiří', 'jiri'],
      ['Zdeněk', 'zdenek'],
      ['Agnieszka', 'agnieszka'],
    ],
    lastNames: [
      ['Dvořák', 'dvorak'],
      ['Wójcik', 'wojcik'],
      ['Łukasiewicz', 'lukasiewicz'],
      ['Čapek', 'capek'],
      ['Nowak', 'nowak'],
    ],
    street: pickStreet(
      ['ul. Piotrkowska', 'ul. Długa', 'ul. Świętokrzyska', 'ul. Żeromskiego'],
      (name, n) => `${name} ${n}`,
    ),
    company: latinCompany(
      [
        ['Dvořák', 'dvorak'],
        ['Wójcik', 'wojcik'],
        ['Łukasiewicz', 'lukasiewicz'],
        ['Čapek', 'capek'],
        ['Kowalczyk', 'kowalczyk'],
      ],
      [
        ['Usługi', 'uslugi'],
        ['Technologie', 'technologie'],
        ['Stavby', 'stavby'],
        ['Doradztwo', 'doradztwo'],
        ['Strojírny', 'strojirny'],
      ],
      ['Sp. z o.o.', 's.r.o.', 'S.A.', 'a.s.'],
    ),
  },
  {
    key: 'tr',
    weight: 4,
    culture: 'tr-TR',
    language: 'tr',
    country: 'TR',
    tld: 'com.tr',
    phonePrefix: '+90 212',
    cities: [
      ['İstanbul', '34', '34000'],
      ['İzmir', '35', '35000'],
      ['Eskişehir', '26', '26000'],
      ['Muğla', '48', '48000'],
    ],
    firstNames: [
      ['Ayşe', 'ayse'],
      ['Çağrı', 'cagri'],
      ['Gülşen', 'gulsen'],
      ['İlker', 'ilker'],
      ['Şükrü', 'sukru'],
    ],
    lastNames: [
      ['Yılmaz', 'yilmaz'],
      ['Şahin', 'sahin'],
      ['Çelik', 'celik'],
      ['Öztürk', 'ozturk'],
      ['Doğan', 'dogan'],
    ],
    street: pickStreet(
      ['İstiklal Caddesi', 'Atatürk Bulvarı', 'Gül Sokak', 'Çiçek Sokak'],
      (name, n) => `${name} No: ${n}`,
    ),
    company: latinCompany(
      [
        ['Yılmaz', 'yilmaz'],
        ['Şahin', 'sahin'],
        ['Çelik', 'celik'],
        ['Öztürk', 'ozturk'],
        ['Doğan', 'dogan'],
      ],
      [
        ['Bilişim', 'bilisim'],
        ['İnşaat', 'insaat'],
        ['Gıda', 'gida'],
        ['Danışmanlık', 'danismanlik'],
        ['Tekstil', 'tekstil'],
      ],
      ['A.Ş.', 'Ltd. Şti.', 've Ortakları', ''],
    ),
  },
  {
    key: 'ko',
    weight: 9,
    culture: 'ko-KR',
    language: 'ko',
    country: 'KR',
    tld: 'co.kr',
    phonePrefix: '+82 2',
    cities: [
      ['서울특별시', '서울', '04524'],
      ['부산광역시', '부산', '48058'],
      ['인천광역시', '인천', '21999'],
      ['대전광역시', '대전', '34126'],
    ],
    firstNames: [
      ['민준', 'minjun'],
      ['서연', 'seoyeon'],
      ['지훈', 'jihun'],
      ['하은', 'haeun'],
      ['도윤', 'doyun'],
    ],
    lastNames: [
      ['김', 'kim'],
      ['이', 'lee'],
      ['박', 'park'],
      ['최', 'choi'],
      ['정', 'jung'],
    ],
    street: pickStreet(
      ['세종대로', '테헤란로', '해운대로', '한밭대로'],
      (name, n) => `${name} ${n}`,
    ),
    company: memoised(
      ([prefix, trade, form]) => {
        const name = joinWords([korean.prefixes[prefix], korean.trades[trade]], '');
        return [
          form === 0
            ? `${name[0]} 주식회사`
            : form === 1
              ? `(주)${name[0]}`
              : `유한회사 ${name[0]}`,
          name[1],
        ];
      },
      [korean.prefixes.length, korean.trades.length, 3],
    ),
  },
  {
    key: 'ja',
    weight: 9,
    culture: 'ja-JP',
    language: 'ja',
    country: 'JP',
    tld: 'co.jp',
    phonePrefix: '+81 3',
    cities: [
      ['東京都千代田区', '東京都', '100-0001'],
      ['大阪市北区', '大阪府', '530-0001'],
      ['札幌市中央区', '北海道', '060-0001'],
      ['福岡市博多区', '福岡県', '812-0011'],
    ],
    firstNames: [
      ['健太', 'kenta'],
      ['さくら', 'sakura'],
      ['翔', 'sho'],
      ['美咲', 'misaki'],
      ['大輔', 'daisuke'],
    ],
    lastNames: [
      ['佐藤', 'sato'],
      ['鈴木', 'suzuki'],
      ['高橋', 'takahashi'],
      ['田中', 'tanaka'],
      ['渡辺', 'watanabe'],
    ],
    street: pickStreet(
      ['丸の内', '梅田', '大通西', '博多駅前'],
      (name, n) => `${name}${1 + (n % 9)}-${n}`,
    ),
    company: memoised(
      ([prefix, trade, form]) => {
        const name = joinWords([japanese.prefixes[prefix], japanese.trades[trade]], '');
        const shown =
          form === 0
            ? `株式会社${name[0]}`
            : form === 1
              ? `${name[0]}株式会社`
              : form === 2
                ? `合同会社${name[0]}`
                : `有限会社${name[0]}`;
        return [shown, name[1]];
      },
      [japanese.prefixes.length, japanese.trades.length, 4],
    ),
  },
];

const totalWeight = localeGroups.reduce((sum, group) => sum + group.weight, 0);

/** Picks a locale group by weight. */
export function pickLocaleGroup(rng: Rng): LocaleGroup {
  let remaining = rng.below(totalWeight);
  for (const group of localeGroups) {
    remaining -= group.weight;
    if (remaining < 0) return group;
  }
  return localeGroups[0];
}
