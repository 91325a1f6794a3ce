/**
 * The words customer names, people, streets and cities are made of, per locale group: data only,
 * no logic (name-parts.ts builds names from it). Each word carries an ASCII slug, because an
 * `onmicrosoft.com` domain is ASCII whatever the company's name is written in. To add a locale,
 * add an entry; its weight is its share of customers.
 */

/** A word as shown, and its romanised slug (lowercase a-z only). */
export type Word = readonly [shown: string, slug: string];

/**
 * How a locale's company names are made:
 * - `brand`: a brand name and a legal form (`forms`, '' for none);
 * - `latin`: a family name and a trade in either order, and a legal form ('' for none);
 * - `joined`: a prefix and a trade written together, inside a form whose `{name}` they replace.
 */
export type CompanyWords =
  | { readonly kind: 'brand'; readonly brands: readonly Word[]; readonly forms: readonly string[] }
  | {
      readonly kind: 'latin';
      readonly surnames: readonly Word[];
      readonly trades: readonly Word[];
      readonly forms: readonly string[];
    }
  | {
      readonly kind: 'joined';
      readonly prefixes: readonly Word[];
      readonly trades: readonly Word[];
      readonly forms: readonly string[];
    };

export interface LocaleWords {
  readonly key: string;
  /** Relative share of customers. */
  readonly weight: number;
  readonly culture: string;
  readonly language: string;
  readonly country: string;
  readonly tld: string;
  readonly phonePrefix: string;
  /** City, region (state), postal code. */
  readonly cities: readonly (readonly [city: string, region: string, postalCode: string])[];
  readonly firstNames: readonly Word[];
  readonly lastNames: readonly Word[];
  readonly streets: readonly string[];
  /** A street address: `{name}` the street, `{n}` the house number, `{n9}` 1 + the number mod 9. */
  readonly streetPattern: string;
  readonly company: CompanyWords;
}

const ENGLISH_BRANDS: readonly Word[] = [
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

const KOREAN_PREFIXES: readonly Word[] = [
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
];

const KOREAN_TRADES: readonly Word[] = [
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
];

const JAPANESE_PREFIXES: readonly Word[] = [
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
];

const JAPANESE_TRADES: readonly Word[] = [
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
];

export const LOCALE_WORDS: readonly LocaleWords[] = [
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
    streets: ['Main Street', 'Microsoft Way', 'Pine Avenue', 'Lake Drive'],
    streetPattern: '{n} {name}',
    company: {
      kind: 'brand',
      brands: ENGLISH_BRANDS,
      forms: ['', 'Ltd', 'Inc.', 'LLC', 'Group', 'Holdings', 'Corp.'],
    },
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
    streets: ['Königstraße', 'Hauptstraße', 'Schloßallee', 'Mühlenweg'],
    streetPattern: '{name} {n}',
    company: {
      kind: 'latin',
      surnames: [
        ['Müller', 'mueller'],
        ['Schäfer', 'schaefer'],
        ['Groß', 'gross'],
        ['Köhler', 'koehler'],
        ['Jäger', 'jaeger'],
        ['Böhm', 'boehm'],
      ],
      trades: [
        ['Bäckerei', 'baeckerei'],
        ['Maschinenbau', 'maschinenbau'],
        ['Büroservice', 'bueroservice'],
        ['Gebäudetechnik', 'gebaeudetechnik'],
        ['Logistik', 'logistik'],
      ],
      forms: ['GmbH', 'AG', 'GmbH & Co. KG', 'e.K.'],
    },
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
    streets: [
      'rue de la Paix',
      'avenue des Champs-Élysées',
      'boulevard Saint-Michel',
      'place de l’Église',
    ],
    streetPattern: '{n} {name}',
    company: {
      kind: 'latin',
      surnames: [
        ['Lefèvre', 'lefevre'],
        ['Bézier', 'bezier'],
        ['Lemaître', 'lemaitre'],
        ['Gérard', 'gerard'],
        ['Benoît', 'benoit'],
        ['Chevalier', 'chevalier'],
      ],
      trades: [
        ['Électricité', 'electricite'],
        ['Pâtisserie', 'patisserie'],
        ['Conseil', 'conseil'],
        ['Fromagerie', 'fromagerie'],
        ['Rénovation', 'renovation'],
      ],
      forms: ['SARL', 'SA', 'SAS', '& Fils'],
    },
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
    streets: ['Calle Mayor', 'Avenida de la Constitución', 'Plaza de España', 'Calle Alcalá'],
    streetPattern: '{name}, {n}',
    company: {
      kind: 'latin',
      surnames: [
        ['Peña', 'pena'],
        ['Núñez', 'nunez'],
        ['Ibáñez', 'ibanez'],
        ['Muñoz', 'munoz'],
        ['Castaño', 'castano'],
        ['Gómez', 'gomez'],
      ],
      trades: [
        ['Construcciones', 'construcciones'],
        ['Diseño', 'diseno'],
        ['Logística', 'logistica'],
        ['Asesoría', 'asesoria'],
        ['Informática', 'informatica'],
      ],
      forms: ['S.A.', 'S.L.', 'y Asociados', ''],
    },
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
    streets: ['Rua das Flores', 'Avenida Paulista', 'Praça da Sé', 'Rua São Bento'],
    streetPattern: '{name}, {n}',
    company: {
      kind: 'latin',
      surnames: [
        ['Gonçalves', 'goncalves'],
        ['Simões', 'simoes'],
        ['Magalhães', 'magalhaes'],
        ['Araújo', 'araujo'],
        ['Assunção', 'assuncao'],
      ],
      trades: [
        ['Comércio', 'comercio'],
        ['Tecnologia', 'tecnologia'],
        ['Serviços', 'servicos'],
        ['Construções', 'construcoes'],
        ['Alimentação', 'alimentacao'],
      ],
      forms: ['Ltda.', 'S.A.', 'ME', 'EIRELI'],
    },
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
    streets: ['Storgatan', 'Kungsgatan', 'Drottninggatan', 'Sjövägen'],
    streetPattern: '{name} {n}',
    company: {
      kind: 'latin',
      surnames: [
        ['Åström', 'astrom'],
        ['Håkansson', 'hakansson'],
        ['Ørsted', 'orsted'],
        ['Sjöberg', 'sjoberg'],
        ['Æbeltoft', 'aebeltoft'],
      ],
      trades: [
        ['Løsninger', 'losninger'],
        ['Byggnad', 'byggnad'],
        ['Fiskeriet', 'fiskeriet'],
        ['Möbler', 'mobler'],
        ['Rådgivning', 'radgivning'],
      ],
      forms: ['AB', 'AS', 'ApS', 'Oy'],
    },
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
    streets: ['ul. Piotrkowska', 'ul. Długa', 'ul. Świętokrzyska', 'ul. Żeromskiego'],
    streetPattern: '{name} {n}',
    company: {
      kind: 'latin',
      surnames: [
        ['Dvořák', 'dvorak'],
        ['Wójcik', 'wojcik'],
        ['Łukasiewicz', 'lukasiewicz'],
        ['Čapek', 'capek'],
        ['Kowalczyk', 'kowalczyk'],
      ],
      trades: [
        ['Usługi', 'uslugi'],
        ['Technologie', 'technologie'],
        ['Stavby', 'stavby'],
        ['Doradztwo', 'doradztwo'],
        ['Strojírny', 'strojirny'],
      ],
      forms: ['Sp. z o.o.', 's.r.o.', 'S.A.', 'a.s.'],
    },
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
    streets: ['İstiklal Caddesi', 'Atatürk Bulvarı', 'Gül Sokak', 'Çiçek Sokak'],
    streetPattern: '{name} No: {n}',
    company: {
      kind: 'latin',
      surnames: [
        ['Yılmaz', 'yilmaz'],
        ['Şahin', 'sahin'],
        ['Çelik', 'celik'],
        ['Öztürk', 'ozturk'],
        ['Doğan', 'dogan'],
      ],
      trades: [
        ['Bilişim', 'bilisim'],
        ['İnşaat', 'insaat'],
        ['Gıda', 'gida'],
        ['Danışmanlık', 'danismanlik'],
        ['Tekstil', 'tekstil'],
      ],
      forms: ['A.Ş.', 'Ltd. Şti.', 've Ortakları', ''],
    },
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
    streets: ['세종대로', '테헤란로', '해운대로', '한밭대로'],
    streetPattern: '{name} {n}',
    company: {
      kind: 'joined',
      prefixes: KOREAN_PREFIXES,
      trades: KOREAN_TRADES,
      forms: ['{name} 주식회사', '(주){name}', '유한회사 {name}'],
    },
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
    streets: ['丸の内', '梅田', '大通西', '博多駅前'],
    streetPattern: '{name}{n9}-{n}',
    company: {
      kind: 'joined',
      prefixes: JAPANESE_PREFIXES,
      trades: JAPANESE_TRADES,
      forms: ['株式会社{name}', '{name}株式会社', '合同会社{name}', '有限会社{name}'],
    },
  },
];
