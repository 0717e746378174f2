"""The core questionnaire of the perceived-safety survey, shipped in Czech, Polish, English and Norwegian
Bokmål (after the ICVS/UNODC wording, "How safe do you feel walking alone in your area after dark?", SDG
16.1.4, and the ZČU survey of the Plzeň region's member towns). Texts are data, not gettext strings: a
questionnaire version keeps the wording its respondents saw.

Each question: (code, kind, {language: text}, options, extra). Options: (code, {language: label}). For a
single-choice question, ``success`` names the options counted as "yes" in the published share and
``excluded`` those left out of its base (don't know).
"""


def t(cs: str, pl: str, en: str, nb: str) -> dict[str, str]:
    return {"cs": cs, "pl": pl, "en": en, "nb": nb}


SAFETY = [
    ("very_safe", t("velmi bezpečně", "bardzo bezpiecznie", "very safe", "svært trygg")),
    ("fairly_safe", t("spíše bezpečně", "raczej bezpiecznie", "fairly safe", "ganske trygg")),
    ("bit_unsafe", t("spíše nebezpečně", "raczej niebezpiecznie", "a bit unsafe", "litt utrygg")),
    ("very_unsafe", t("velmi nebezpečně", "bardzo niebezpiecznie", "very unsafe", "svært utrygg")),
    ("dont_know", t("nevím", "nie wiem", "don't know", "vet ikke")),
]
SAFE = ["very_safe", "fairly_safe"]
DONT_KNOW = ["dont_know"]
WORRY = [
    ("very", t("velmi", "bardzo", "very worried", "svært bekymret")),
    ("fairly", t("trochu", "trochę", "fairly worried", "litt bekymret")),
    ("not", t("vůbec ne", "wcale", "not worried", "ikke bekymret")),
    ("dont_know", t("nevím", "nie wiem", "don't know", "vet ikke")),
]
YES_NO = [
    ("yes", t("ano", "tak", "yes", "ja")),
    ("no", t("ne", "nie", "no", "nei")),
]
TRUST = [
    ("high", t("velkou důvěru", "duże zaufanie", "a great deal", "stor tillit")),
    ("some", t("spíše důvěru", "raczej zaufanie", "some", "en del tillit")),
    ("little", t("spíše nedůvěru", "raczej brak zaufania", "not much", "lite tillit")),
    ("none", t("žádnou důvěru", "brak zaufania", "none at all", "ingen tillit")),
    ("dont_know", t("nevím", "nie wiem", "don't know", "vet ikke")),
]
TRUSTING = ["high", "some"]

CORE_QUESTIONS = [
    (
        "safety_day",
        "single",
        t(
            "Jak bezpečně se cítíte, když jdete sám/sama ve svém okolí za denního světla?",
            "Jak bezpiecznie czuje się Pan/Pani, chodząc samotnie w swojej okolicy za dnia?",
            "How safe do you feel walking alone in your area during the day?",
            "Hvor trygg føler du deg når du går alene i nærområdet ditt på dagtid?",
        ),
        SAFETY,
        {"success": SAFE, "excluded": DONT_KNOW},
    ),
    (
        "safety_dark",
        "single",
        t(
            "Jak bezpečně se cítíte, když jdete sám/sama ve svém okolí po setmění?",
            "Jak bezpiecznie czuje się Pan/Pani, chodząc samotnie w swojej okolicy po zmroku?",
            "How safe do you feel walking alone in your area after dark?",
            "Hvor trygg føler du deg når du går alene i nærområdet ditt etter mørkets frembrudd?",
        ),
        SAFETY,
        {"success": SAFE, "excluded": DONT_KNOW, "headline": True},
    ),
    (
        "worry",
        "grid",
        t(
            "Nakolik se obáváte následujících jevů ve svém okolí?",
            "Na ile obawia się Pan/Pani następujących zjawisk w swojej okolicy?",
            "How worried are you about the following in your area?",
            "Hvor bekymret er du for følgende i nærområdet ditt?",
        ),
        WORRY,
        {
            "rows": [
                ("burglary", t("vloupání do bytu či domu", "włamanie do mieszkania", "burglary", "innbrudd")),
                ("robbery", t("přepadení na ulici", "napad na ulicy", "street robbery", "ran på gaten")),
                (
                    "vehicle",
                    t("krádež auta či kola", "kradzież auta lub roweru", "vehicle theft", "kjøretøytyveri"),
                ),
                (
                    "drugs",
                    t(
                        "drogy na veřejnosti",
                        "narkotyki w miejscach publicznych",
                        "drugs in public",
                        "narkotika i offentlige rom",
                    ),
                ),
                (
                    "vandalism",
                    t(
                        "vandalismus a sprejerství",
                        "wandalizm i graffiti",
                        "vandalism and graffiti",
                        "hærverk og tagging",
                    ),
                ),
                (
                    "drinking",
                    t(
                        "opilost na veřejnosti",
                        "picie alkoholu w miejscach publicznych",
                        "public drinking",
                        "offentlig fyll",
                    ),
                ),
            ]
        },
    ),
    (
        "victim",
        "single",
        t(
            "Stal(a) jste se v posledních 12 měsících obětí trestného činu?",
            "Czy w ciągu ostatnich 12 miesięcy padł(a) Pan/Pani ofiarą przestępstwa?",
            "In the last 12 months, have you been a victim of a crime?",
            "Har du vært utsatt for en forbrytelse de siste 12 månedene?",
        ),
        YES_NO,
        {"success": ["yes"], "excluded": []},
    ),
    (
        "reported",
        "single",
        t(
            "Pokud ano: oznámil(a) jste to policii?",
            "Jeśli tak: czy zgłosił(a) Pan/Pani to policji?",
            "If so: did you report it to the police?",
            "Hvis ja: anmeldte du det til politiet?",
        ),
        YES_NO,
        {"success": ["yes"], "excluded": [], "optional": True},
    ),
    (
        "trust_state",
        "single",
        t(
            "Jakou důvěru máte v Policii ČR / státní policii?",
            "Jakie ma Pan/Pani zaufanie do Policji?",
            "How much do you trust the state police?",
            "Hvor stor tillit har du til politiet?",
        ),
        TRUST,
        {"success": TRUSTING, "excluded": DONT_KNOW},
    ),
    (
        "trust_municipal",
        "single",
        t(
            "Jakou důvěru máte v městskou policii?",
            "Jakie ma Pan/Pani zaufanie do straży miejskiej?",
            "How much do you trust the municipal police?",
            "Hvor stor tillit har du til det kommunale ordensvernet?",
        ),
        TRUST,
        {"success": TRUSTING, "excluded": DONT_KNOW},
    ),
    (
        "problems",
        "multiple",
        t(
            "Jaké jsou tři největší problémy ve vašem okolí? (nejvýše tři)",
            "Jakie są trzy największe problemy w Pana/Pani okolicy? (najwyżej trzy)",
            "What are the three biggest problems in your area? (at most three)",
            "Hva er de tre største problemene i nærområdet ditt? (høyst tre)",
        ),
        [
            (
                "traffic",
                t(
                    "doprava a rychlá jízda",
                    "ruch drogowy i szybka jazda",
                    "traffic and speeding",
                    "trafikk og fartskjøring",
                ),
            ),
            ("litter", t("nepořádek", "śmieci", "litter", "søppel")),
            ("noise", t("hluk v noci", "hałas w nocy", "noise at night", "støy om natten")),
            ("drugs", t("drogy", "narkotyki", "drugs", "narkotika")),
            ("lighting", t("špatné osvětlení", "słabe oświetlenie", "poor lighting", "dårlig belysning")),
            (
                "youth",
                t("skupiny mladých lidí", "grupy młodzieży", "groups of young people", "ungdomsgjenger"),
            ),
            ("theft", t("krádeže", "kradzieże", "theft", "tyveri")),
            ("other", t("jiné", "inne", "other", "annet")),
        ],
        {"max_choices": 3},
    ),
    (
        "unsafe_places",
        "map",
        t(
            "Označte na mapě místa, kde se necítíte bezpečně.",
            "Proszę zaznaczyć na mapie miejsca, w których nie czuje się Pan/Pani bezpiecznie.",
            "Mark the places where you feel unsafe on the map.",
            "Marker stedene der du føler deg utrygg, på kartet.",
        ),
        [],
        {"optional": True, "max_points": 5},
    ),
    (
        "age_group",
        "single",
        t("Váš věk", "Pana/Pani wiek", "Your age", "Din alder"),
        [
            ("15-29", t("15–29", "15–29", "15–29", "15–29")),
            ("30-44", t("30–44", "30–44", "30–44", "30–44")),
            ("45-64", t("45–64", "45–64", "45–64", "45–64")),
            ("65+", t("65 a více", "65 i więcej", "65 or older", "65 eller eldre")),
        ],
        {"demographic": True, "optional": True},
    ),
    (
        "sex",
        "single",
        t("Jste", "Jest Pan/Pani", "You are", "Du er"),
        [
            ("f", t("žena", "kobietą", "a woman", "kvinne")),
            ("m", t("muž", "mężczyzną", "a man", "mann")),
        ],
        {"demographic": True, "optional": True},
    ),
]
