"""General attribution rules on small invented sentences (no real speaker, no gold row): each test
names the linguistic pattern a rule of stance.extraction.attribution* handles."""
from __future__ import annotations

import types
import warnings

import pytest

from stance.extraction.attribution import transcript_turns
from stance.extraction.pipeline import load_english
from stance.extraction.attribution_rules import is_reporting, subject_of
from stance.extraction.entities import entity_kind
from stance.extraction.names import strip_titles
from stance.extraction.quotes import QuoteWarning, extract_quotes


def quotes_of(text: str):
    """``extract_quotes(text)`` without its warnings about unpaired marks."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QuoteWarning)
        return extract_quotes(text)


def speaker_of(text: str, quote: str) -> str:
    df = quotes_of(text)
    row = df[df["quote"] == quote]
    assert len(row) == 1, df[["quote", "speaker"]].values.tolist()
    return row.iloc[0]["speaker"]


def test_a_participle_used_as_an_adjective_reports_nothing():
    doc = load_english()("The council unveiled its so-called “grand strategy” on Monday.")
    called = next(t for t in doc if t.lower_ == "called")
    assert not is_reporting(called)


def test_the_subject_nearest_the_verb_speaks_when_the_parse_gives_two():
    far = types.SimpleNamespace(dep_="nsubj", i=2, lower_="korea")
    near = types.SimpleNamespace(dep_="nsubj", i=9, lower_="diplomat")
    verb = types.SimpleNamespace(dep_="ROOT", i=10, lower_="asserted", tag_="VBD", children=[far, near])
    assert subject_of(verb) is near


def test_a_reporting_verb_coordinated_with_the_quotes_clause_does_not_name_its_speaker():
    text = "The new rules target residents who oppose “unification” and call for more talks with the mainland."
    assert speaker_of(text, "unification") == ""


@pytest.mark.parametrize("text, quote, speaker", [
    ("Arla Venn said on Monday that the council wanted more money from members, warning that the plan was "
     "“a dead end”.", "a dead end", "Arla Venn"),
    ("Arla Venn spoke in Harbin. Later asked about the plans, she said the union needed “first and foremost” to get "
     "information from Torvia on its plans, adding: “Isolation has never worked for anyone.”",
     "Isolation has never worked for anyone.", "Arla Venn"),
    ("In a post on Thursday, Arla Venn asked “what ‘rules’” Piet Tolle was referring to, calling on the council to "
     "post a “full list” on its website.", "full list", "Arla Venn"),
    # a reporting verb coordinated inside the reported words ("said Torvia took ..., but urged")
    ("Arla Venn described the talks as “candid” and said Torvia took the union’s concerns on trade seriously, but "
     "urged the council to avoid “protectionist” approaches.", "protectionist", "Arla Venn"),
    ("The minister Arla Venn said Torvia has not closed its border to refugees, but highlighted the \"hybrid "
     "attacks\" organized by Sylvania.", "hybrid attacks", "Arla Venn"),
])
def test_a_verb_of_speech_after_reported_words_is_the_reporters(text, quote, speaker):
    assert speaker_of(text, quote) == speaker


def test_a_person_introduced_at_the_start_of_a_text_is_known_to_quotes_paragraphs_later():
    text = ("Ruritania should press Sylvania, minister says\n\n23 August, 2025\n\n"
            "First Deputy Foreign Minister Marek Dubrava believes Ruritania should increase pressure on Sylvania.\n\n"
            "He stated this in an interview with the Courier.\n\n"
            "According to the minister, Sylvania continues to manipulate Ruritania and Piet Tolle personally.\n\n"
            "“But I think that, slowly and gradually, the administration is beginning to understand it,” he added.")
    assert speaker_of(text, "But I think that, slowly and gradually, the administration is beginning to understand it,") \
        == "Marek Dubrava"


def test_an_entity_with_a_person_noun_in_apposition_is_a_person():
    spokesman = types.SimpleNamespace(dep_="appos", lower_="spokesman", tag_="NN")
    root = types.SimpleNamespace(dep_="nsubj", children=[spokesman], head=None)
    assert entity_kind(types.SimpleNamespace(label_="ORG", root=root)) == "PERSON"
    ministry = types.SimpleNamespace(dep_="appos", lower_="ministry", tag_="NN")
    root = types.SimpleNamespace(dep_="nsubj", children=[ministry], head=None)
    assert entity_kind(types.SimpleNamespace(label_="ORG", root=root)) == "ORG"


def test_a_pronoun_in_an_embedded_clause_is_bound_in_its_own_sentence():
    text = ("Security chief Arla Venn said yesterday that the drills were propaganda. Norway said it held the drills "
            "as “punishment” for President Piet Tolle’s speech on Monday, in which he said the two sides were "
            "“equal partners,” which Norway viewed as a provocation.")
    assert speaker_of(text, "equal partners,") == "Piet Tolle"


def test_a_headline_term_is_the_headline_subjects_when_it_is_a_name():
    text = ("Tolle gives ‘full backing’ to the ceasefire plan\n\nPrime Minister Piet Tolle met the envoys in Oslo "
            "on Monday. The talks lasted three hours.")
    assert speaker_of(text, "full backing").endswith("Tolle")  # the surname, or the full name when parsed
    text = "The council’s move on the harbour ‘reckless’\n\nThe harbour council voted on Monday to close the port."
    assert speaker_of(text, "reckless") == ""


def test_a_term_after_reported_speech_in_its_paragraph_continues_that_speech():
    text = ("The Harbour Council stressed on Monday that the talks must go on without conditions. The so-called "
            "“grand bargain” is unacceptable to the people of the island.\n\nThe “grand bargain” was drafted "
            "last year.")
    df = quotes_of(text)
    assert df["speaker"].tolist() == ["The Harbour Council", ""]


def test_a_document_that_goes_on_to_detail_is_its_issuers_and_no_caption_joins_a_name():
    text = ("Photo: Anna Berg, Nordpress\n“The fleet will patrol the strait,” a report from the state broadcaster "
            "Radio Norden said.\nThe report went on to detail the ships, including “three frigates and two tankers.”")
    df = quotes_of(text)
    assert not df["speaker"].str.contains("Nordpress").any()
    assert df["speaker"].iloc[1] == df["speaker"].iloc[0] != ""


def test_a_noun_of_speech_gives_its_content_to_its_owner_but_not_its_topic():
    text = "Piet Tolle’s proposal that the harbour become a “free zone” was debated by the council on Monday."
    assert speaker_of(text, "free zone") == "Piet Tolle"
    text = "Arla Venn said on Monday that the ministry’s definition of the “red line” was far too vague."
    assert speaker_of(text, "red line") == "Arla Venn"


def test_words_quoted_inside_a_quote_are_whoever_the_text_says_first_uttered_them():
    text = ("Council chief Piet Tolle said on Monday that the island must “respect the harbour rules.”\n\n"
            "In a post on Tuesday, spokeswoman Arla Venn asked “which ‘harbour rules’” he meant.")
    assert speaker_of(text, "harbour rules") == "Piet Tolle"


def test_the_title_of_an_event_has_no_speaker():
    text = "Minister Arla Venn said this at a press conference for foreign media entitled “The Year of Resolve.”"
    assert speaker_of(text, "The Year of Resolve.") == ""


def test_a_participle_of_speech_is_spoken_by_the_nearest_reporting_verb_before_it():
    text = ("Piet Tolle made the remarks on Thursday in response to a communique released on Tuesday, in which the "
            "Harbour Council mentioned Norway 15 times, saying that “Norway’s stated ambitions challenge our "
            "interests” and that Norway posed “systemic challenges” to the island, Nordpress reported.")
    df = quotes_of(text)
    assert df["speaker"].str.endswith("Harbour Council").all(), df["speaker"].tolist()


@pytest.mark.parametrize("text, quote, speaker", [
    ("As Arla Venn put it on Monday, the harbour plan is “a dead end” for the island.", "a dead end", "Arla Venn"),
    ("The fleet held drills near the island last week, a “warning” to the council, per Reuters.", "warning",
     "Reuters"),
])
def test_as_x_put_it_and_per_x_name_the_source(text, quote, speaker):
    assert speaker_of(text, quote) == speaker


def test_a_name_never_ends_in_a_particle_and_a_title_word_is_not_part_of_it():
    text = ("Commissioner van der Brook met the delegates in Velmar. "
            "Regional Ministry Spokeswoman Talia Morvane said “the talks will go on next week.”")
    assert speaker_of(text, "the talks will go on next week.") == "Talia Morvane"
    particle = "At the forum, President von der Halvik said “our doors stay open to every partner.”"
    assert speaker_of(particle, "our doors stay open to every partner.") in ("von der Halvik", "Halvik")


def test_title_words_before_a_name_are_stripped_only_when_a_name_is_left():
    assert strip_titles("Vice President Oren Talby") == "Oren Talby"
    assert strip_titles("President") == "President"


def test_a_statement_later_in_the_same_paragraph_continues_the_previous_speaker():
    text = ("“Our harbour stays open to all ships,” Edda Quill said on Monday. "
            "But “the new fees will not change,” and the council agreed.\n"
            "The ferry company did not comment.")
    assert speaker_of(text, "the new fees will not change,") == "Edda Quill"


def test_the_subject_of_was_quoted_as_saying_spoke_and_a_by_agent_only_quoted_them():
    text = "“The bridge will reopen before winter,” Oskar Brandt was quoted by the Velmar Post as saying."
    assert speaker_of(text, "The bridge will reopen before winter,") == "Oskar Brandt"


def test_a_family_name_given_first_stands_for_the_full_name_of_three_words():
    text = ("Premier Pak Sun Ho visited the port on Monday. "
            "“Trade will grow,” Pak said.")
    assert speaker_of(text, "Trade will grow,") == "Pak Sun Ho"


def test_a_description_naming_a_nation_stands_for_the_person_of_that_nation():
    text = ("Chinese President Lu Menghao met Russian President Arkady Volkhin in Brest on Monday.\n"
            "Volkhin said “all agreements have been reached”.\n"
            "Later the Chinese leader said Beijing was “ready to promote a settlement”.")
    assert speaker_of(text, "ready to promote a settlement") == "Lu Menghao"


def test_a_quote_that_opens_a_paragraph_after_reported_speech_goes_on_with_it():
    text = ("Edda Quill stressed that the harbour fees would stay as they are.\n"
            "“The question before us is simple: do we want ships here or not?”\n")
    assert speaker_of(text, "The question before us is simple: do we want ships here or not?") == "Edda Quill"
    plain = "The harbour fees stay as they are.\n“The question before us is simple: do we want ships here or not?”\n"
    assert speaker_of(plain, "The question before us is simple: do we want ships here or not?") == ""


def test_a_line_labelling_a_quote_with_its_speaker_names_the_speaker():
    text = ("Source: Edda Quill after the harbour board meeting\n\n"
            "Quote from Quill: “We saw the final plan last night. We agree with parts of it.”")
    assert speaker_of(text, "We saw the final plan last night. We agree with parts of it.") in ("Edda Quill", "Quill")
    lower = "Quote from the minutes: “We saw the final plan last night.”"
    assert speaker_of(lower, "We saw the final plan last night.") == ""


def test_a_term_inside_a_quote_that_only_a_label_attributes_is_the_quotes_speaker():
    text = ("Source: Edda Quill after the harbour board meeting\n\n"
            "Quote from Quill: “We disagree with the part on ‘harbour levies’. The rest is fine.”")
    assert speaker_of(text, "harbour levies") in ("Edda Quill", "Quill")


def test_a_pronoun_can_stand_for_a_speaker_the_text_only_describes():
    text = ("The harbour authority of the island issued a statement on Friday, calling the Velmar Post's report "
            "“false and malicious”. It blamed the Velmar Post for “spreading rumours” about the port.")
    assert speaker_of(text, "spreading rumours").lower().startswith("the harbour authority")


# --- 2026-12-04, evening: rules found on the batch-3 texts ------------------------------------

def test_a_blank_line_between_paragraphs_is_not_a_paragraph():
    text = ('Councillor Edda Quill spoke in Northgate on Monday.\n\n"We have leaks from the council," Quill said.\n\n'
            '"This plan has three parts, and every one of them is wrong."\n')
    assert speaker_of(text, "This plan has three parts, and every one of them is wrong.") == "Edda Quill"


def test_a_country_s_army_is_the_speaker_its_pronoun_stands_for():
    text = "Freedonia’s army put out posters on Tuesday, touting what it called its “lethal reach”.\n"
    assert speaker_of(text, "lethal reach") == "Freedonia’s army"


def test_a_headline_label_names_the_speaker_of_its_words():
    after = ("Levy plan is “reckless bluster”: spokesperson\n\n"
             "The levy plan is reckless, council spokesperson Edda Quill said on Monday.\n")
    before = "Quill: Talks will “bury” the levy plan\n\nCouncillor Edda Quill says the talks will end the levy plan.\n"
    assert speaker_of(after, "reckless bluster") == "Edda Quill"
    assert speaker_of(before, "bury") == "Edda Quill"
    statement = ("Quill: “The negative aspects of the levy are obvious to everyone”\n\nVELMAR, Aug. 24 - The "
                 "council is in agony over the levy, Councillor Edda Quill said.\n")  # a whole statement too
    assert speaker_of(statement, "The negative aspects of the levy are obvious to everyone") == "Edda Quill"


def test_a_mission_is_named_with_its_post():
    text = "The Embassy of Ruritania in Northgate said the claims were “pure fiction”.\n"
    assert speaker_of(text, "pure fiction").removeprefix("The ") == "Embassy of Ruritania in Northgate"


def test_a_relative_pronoun_is_never_a_speaker():
    from stance.extraction.attribution import is_name_like

    assert not any(is_name_like(w) for w in ("which", "that", "who"))


def test_a_surname_takes_the_full_name_written_outside_the_parsed_paragraphs():
    from stance.extraction.mentions import name_in_text

    text = "Spokesperson Edda Quill spoke on Monday. On Tuesday Quill added"
    assert name_in_text("Quill", text) == "Edda Quill" and name_in_text("Quill", "Quill said") == "Quill"


def test_a_surname_the_tagger_took_for_a_common_noun_still_takes_the_full_name():
    from spacy.tokens import Doc

    from stance.extraction.mentions import surname_mentions

    before = "Ruritanian President Oleh Kovalchuk says the other side is blocking a meeting.\n"
    words = ["Details", ":", "Kovalchuk", "said", "he", "hopes", "so"]
    doc = Doc(load_english().vocab, words=words, spaces=[False, True, True, True, True, True, False],
              tags=["NNS", ":", "NN", "VBD", "PRP", "VBZ", "RB"], pos=["NOUN", "PUNCT", "NOUN", "VERB", "PRON", "VERB", "ADV"],
              heads=[3, 3, 3, 3, 5, 3, 5], deps=["dep", "punct", "nsubj", "ROOT", "nsubj", "ccomp", "advmod"])
    found = surname_mentions(doc, len(before), lambda i: False, [], before + doc.text)
    assert [(m.text, m.kind, m.reports) for m in found] == [("Oleh Kovalchuk", "PERSON", True)]


@pytest.mark.parametrize("text, quote, speaker", [
    ("European Commission President Helga von der Brandt mentioned the schedule on Monday.\n"
     "“We have invested in intensive dialogue,” von der Brandt said.\n"
     "Von der Brandt stressed that the views “are not by default aligned with ours.”",
     "are not by default aligned with ours.", "Helga von der Brandt"),
    ("Armed with demands, Secretary of State Marcus J. Oberlin met in Geneva.\n"
     "“We don’t expect to resolve our differences here,” J. Oberlin told the envoy.",
     "We don’t expect to resolve our differences here,", "Marcus J. Oberlin"),
    ("Coast Guard Spokesperson Lan Wei said the boats acted illegally. He said “the boats ignored repeated warnings.”",
     "the boats ignored repeated warnings.", "Lan Wei"),
    ("Deputy Foreign Minister Dmitri Volkhov gives an interview\nMOSCOW - It is strange to demand inspections "
     "now, Deputy Foreign Minister Dmitry Volkhov has said.\n"
     "\"It is very strange to demand the resumption of inspections,\" Volkhov told the agency.",
     "It is very strange to demand the resumption of inspections,", "Dmitri Volkhov"),  # the text's first spelling
    # a name the tagger cuts at a hyphen, and a military rank, are the whole name without the rank
    ("Ruritanian President Han Dong-seok told reporters that the drills “occurred because of attempts to change "
     "the status quo.”", "occurred because of attempts to change the status quo.", "Han Dong-seok"),
    ("Ruritanian President Kassym-Jomart Oberlin told reporters that the border “was settled long ago.”",
     "was settled long ago.", "Kassym-Jomart Oberlin"),
    # "President of Sylvania" is a title and its post, the place no first name
    ("President of Sylvania Marek Dubrava proposed holding talks in Zenda, the agency reported.\n\n"
     "“We are neighbours. Let’s sit down and decide our future,” Dubrava said.",
     "We are neighbours. Let’s sit down and decide our future,", "Marek Dubrava"),
    ("Earlier the President of Borduria Petro Kovalenko said that the assembly has approved the allocation, and "
     "that the bill provides for the supply of “lethal weapons of a defensive nature”.",
     "lethal weapons of a defensive nature", "Petro Kovalenko"),
    # a surname the tagger joined to the end of a title ("State Quill") is the person's
    ("Ruritanian Secretary of State Quill also said to the press that \"Northgate hid the figures for months.\"",
     "Northgate hid the figures for months.", "Quill"),
    # an appositive name keeps the word after its particle, which the tagger leaves out
    ("The Ruritanian Commission president, Helga von der Leyen, said that “work remains to be done.”",
     "work remains to be done.", "Helga von der Leyen"),
    ("Ruritanian Commodore Edda Quill said on Monday that the ships were “far more aggressive.”",
     "far more aggressive.", "Edda Quill"),
    # the "late" of "late Wednesday" is no part of a description
    ("\"We firmly oppose it,\" said a spokesperson of the Ruritanian Mission late Wednesday.", "We firmly oppose it,",
     "a spokesperson of the Ruritanian Mission"),
    # an initial for a first name is the full name the text gives
    ("Foreign Minister Arun Velkar and his counterpart met in Velmar.\n\n"
     "The envoy held talks with the foreign minister A Velkar on Thursday.\n\n“We have widened our work,” Velkar said.",
     "We have widened our work,", "Arun Velkar"),
])
def test_a_person_is_named_by_the_fullest_first_spelt_name_the_text_gives_without_titles(text, quote, speaker):
    assert speaker_of(text, quote) == speaker


def test_an_answer_in_a_transcript_whose_header_names_only_a_role_is_that_role_s():
    text = ("Extracts from Foreign Ministry Spokesperson’s Regular Press Conference on March 28, 2019\n\n"
            "Q: What is your comment on the report?\n\n"
            "A: Some politicians keep sensationalizing the so-called “lantern threat”. Such smears will get nowhere.")
    assert speaker_of(text, "lantern threat") == "Foreign Ministry Spokesperson"


@pytest.mark.parametrize("text, quote, speaker", [
    # an indefinite description brings in someone new: never the person named before it
    ("Foreign Minister Edda Quill met the envoy on Monday, and she called the talks “useful”.\n"
     "A Northgate government spokesperson said “the visit will go ahead as planned.”",
     "the visit will go ahead as planned.", "A Northgate government spokesperson"),
    # and a time the parse left in the subject is not part of the speaker
    ("Though a senior Northgate official last week said the talks would find a “positive way forward”, "
     "neither side has moved.", "positive way forward", "a senior Northgate official"),
    # a nationality and a media noun stand for the outlet the text names
    ("Ruritania slams the summit — Northgate Daily Courier\n"
     "According to the Ruritanian newspaper, the summit showed “a lack of unity” among its members.",
     "a lack of unity", "Northgate Daily Courier"),
    # a turn's "we" is the turn's speaker, never the country it would resolve to
    ("Q: Northgate officials met the envoy today. What is your response?\n\n"
     "Lan Wei: Ruritania firmly opposes any official contact with Northgate. We urge Northgate to abandon "
     "its “two Ruritanias” policy.", "two Ruritanias", "Lan Wei"),
    # a thing ("this support") is never a speaker
    ("Secretary General Edda Quill spoke in Brussels. “We will help Ruritania,” Quill said. "
     "This support will continue “unabated for as long as it takes,” she added.",
     "unabated for as long as it takes,", "Edda Quill"),
    # the person "according to" names speaks, so a later "he" can stand for them
    ("Presidential aide Lan Wei said the president would meet his rival “if it is well prepared”.\n"
     "President Dmitri Volkhov reacted with doubt. According to Volkhov, the invitation is a stalling "
     "tactic.\n“If you want the meeting not to happen, invite me to your capital,” he said.",
     "If you want the meeting not to happen, invite me to your capital,", "Dmitri Volkhov"),
    # a writing described with its issuer is the issuer's
    ("The Northgate Defence Ministry statement said the strikes were “irresponsible and destabilizing.”",
     "irresponsible and destabilizing.", "Northgate Defence Ministry"),
    # a dateline is not part of the speaker
    ("BEIJING, Nov. 23 (Velmar Wire) -- Ruritania's foreign ministry said on Tuesday that Northgate must "
     "“stop making provocations” in the strait.", "stop making provocations", "Ruritania's foreign ministry"),
    # a paragraph that opens with a straight quote and a stray space still opens a quote there
    ('Leaders met in Velmar.\n\n" We also agree that the door is open," Lan Wei added.',
     "We also agree that the door is open,", "Lan Wei"),
    # a description after the verb gives way to the name in apposition to it
    ('At the summit, the allies will "send a strong message of support", stated the Secretary General of the '
     'alliance, Edda Quill, in Velmar.', "send a strong message of support", "Edda Quill"),
    # "the former prime minister" is not the one the text titles prime minister now
    ("“It was a big success,” Dan Volkhov told Northgate Prime Minister Lan Wei.\nSecretary General Edda Quill "
     "said the goal was vital. “There is no alternative,” the former Northgate prime minister told reporters.",
     "There is no alternative,", "Edda Quill"),
    # "he" is never a person the text names with a woman's given name
    ("President Dan Volkhov met reporters after Foreign Minister Jen Quill had spoken. Quill said the talks "
     "were useful. He said the plan was “final and fair”.", "final and fair", "Dan Volkhov"),
    # "the statement" is whoever issued it ("a statement issued by ..."), though another spoke since
    ("In a statement issued on Sunday by the Ruritanian Ministry of Defence, the government criticised the drills."
     "\n\nPresident Lan Wei also said the drills could lead to “confrontation.”\n\nThe statement warned of "
     "“reflexive countermeasures” to defend the country.", "reflexive countermeasures",
     "the Ruritanian Ministry of Defence"),
    # a bullet, and a title such as "Speaker", are no part of a name
    ("Leaders met in Velmar.\n\n  • Lan Wei said “this is a victory for all of us.”",
     "this is a victory for all of us.", "Lan Wei"),
    ("“Nobody can tell me where to go,” Speaker Dan Volkhov told reporters.", "Nobody can tell me where to go,",
     "Dan Volkhov"),
    # a page that lost the space after a closing straight quote still closes it there
    ('Lan Wei said that "we stand ready to talk, but we will not wait."Lan Wei added that "the door is open."',
     "the door is open.", "Lan Wei"),
    # a lede's words are the person's who, the next paragraph says, made the remarks
    ("Northgate urges Ruritania to stop arms sales: spokesperson\n\nNorthgate on Monday urged Ruritania to "
     "avoid “treading further down the wrong path.”\n\nForeign ministry spokesperson Dmitri Volkhov made the "
     "remarks at a daily press briefing.", "treading further down the wrong path.", "Dmitri Volkhov"),
    # what an answer says unnamed others did is the answerer's words
    ("Q: What is your comment on the vote?\n\nLan Wei: Many countries have reaffirmed their firm opposition to "
     "“Northgate independence”. This is the common view of the world.", "Northgate independence", "Lan Wei"),
    # a name given with its post ("Ambassador to the US") is the person, whom "the envoy" then stands for
    ("Ruritanian Ambassador to the EU Lan Wei said on Friday that the talks had failed.\n\n"
     "According to the envoy, “the administration has put everything on the table.”",
     "the administration has put everything on the table.", "Lan Wei"),
    ("Speaking at an event in Velmar, EU Ambassador to Ruritania Edda Quill said that “the EU does not want "
     "a trade war.”", "the EU does not want a trade war.", "Edda Quill"),
    # a title the tagger took for an organisation gives way to the name after it
    ("Northgate National Security Council Coordinator for Strategic Communications Lan Wei said the claim "
     "was “absolutely not true.”", "absolutely not true.", "Lan Wei"),
    # "the embassy quoted X as saying": X spoke, the embassy only quoted them
    ("“Northgate sees no boundaries,” the Ruritanian embassy quoted Volkhov as saying.",
     "Northgate sees no boundaries,", "Volkhov"),
    # "the statement" is whoever issued it last, though they spoke no quote before it
    ("The communique states, “We remain seriously concerned about the strait.”\n\nThe Ruritanian Foreign "
     "Ministry's spokesperson issued remarks on Saturday night.\n\nThe statement said, “The summit smeared "
     "Ruritania.”", "The summit smeared Ruritania.", "The Ruritanian Foreign Ministry's spokesperson"),
    # "the paper" after an office issued a white paper is the office, not a newspaper
    ("By Lan Wei / Staff writer, with Velmar Post\n\nRuritania's Strait Affairs Office yesterday issued a "
     "white paper laying out its plans.\n\n“We are ready to create vast space for talks,” said the paper.",
     "We are ready to create vast space for talks,", "Strait Affairs Office"),
    # an office's generic name keeps whose it is: "the ministry" is Ruritania's, not any "Defence Ministry"
    ("Ruritania's Defence Ministry said the drills were “routine.” “We advise the other side to be prudent,” the "
     "ministry said.", "We advise the other side to be prudent,", "Ruritania's Defence Ministry"),
    # an excerpt that opens with "..., he said" names him only after it
    ("\"No fear for now,\" he said in an interview when asked whether the allies should be afraid.\nNorthgate "
     "massively expanded its production. According to Lan Wei, the allies are not yet doing enough.\n\"We have to "
     "ramp up production,\" he said.", "No fear for now,", "Lan Wei"),
    # "the agency quoted a source as saying": the source spoke
    ("There are “high hopes” for a consensus at the meeting, the state news agency Velmar Post quoted a diplomatic "
     "source as saying.", "high hopes", "a diplomatic source"),
    # what someone "shared with reporters" is theirs, not the outlet's that reports it
    ("Ruritanian spokesperson Lan Wei shared with reporters on Monday that the expansion of the alliance \"will not "
     "bring more stability,\" the Velmar Post reports.", "will not bring more stability,", "Lan Wei"),
    # "the American": the person of that nation named before, as "the American official" would be
    ("Armed with opposed demands, Secretary of State Marcus J. Oberlin and Ruritanian Foreign Minister Dmitri "
     "Volkhov met in Geneva at what the American called a “critical moment.”", "critical moment.", "Marcus J. Oberlin"),
    # an acronym in brackets does not cut a mission's post from the description
    ("VELMAR, June 15 -- A spokesperson for the Northgate Mission to the European Union (EU) on June 15 urged the "
     "alliance to stop hyping up the so-called \"Ruritania threat\" in any form.", "Ruritania threat",
     "A spokesperson for the Northgate Mission to the European Union"),
    # ", as he argues" after the words: "he", never "as he"
    ("Columnist Lan Wei wrote about the strait in the Velmar Post on Monday.\n\nIn the piece, Lan Wei urges "
     "Northgate to replace its claim with the assertion that it is safeguarding the \"free world\", as he argues that "
     "this better portrays its policy.", "free world", "Lan Wei"),
    # a white paper "(recently) released by" an office is that office's writing
    ("The 2023 defense white paper recently released by the Ruritanian government says Ruritania plans to raise "
     "spending to \"fundamentally strengthen its defense forces\" over five years.",
     "fundamentally strengthen its defense forces", "the Ruritanian government"),
    # a term in what someone believes, or regards as something, is theirs
    ('Ruritanian President Lan Wei believes that the "peace plan" presented by Northgate is only "opinions".',
     "opinions", "Lan Wei"),
    ('Lan Wei openly regards "lying, stealing, cheating" as the "glory" of Northgate.', "glory", "Lan Wei"),
    # "regarding" is a preposition, not the verb "regard": the words stay with the reporting verb
    ("Ruritania accused Northgate of undermining relations and said its comments regarding the port “disregarded "
     "facts,” days after the vote.", "disregarded facts,", "Ruritania"),
    # a describing participle takes the "by" phrase the parser put inside its "as" phrase
    ('The blockade, described as a "special harbour operation" by Ruritania in Northgate, began in May.',
     "special harbour operation", "Ruritania"),
    # a headline's speaker label after a dash: a role, the story's first reporting person
    ("Harbour Levies Used by Northgate's 'Big Players' - Ruritanian Envoy to Velmar\n"
     "VELMAR (Ledger) - The levies were set by the big players, envoy Lan Wei told the assembly on Monday.\n",
     "Big Players", "Lan Wei"),
])
def test_descriptions_pronouns_and_things_name_the_right_speaker(text, quote, speaker):
    assert speaker_of(text, quote) == speaker


def test_turns_of_a_transcript_that_lost_its_line_breaks_are_read_inline():
    text = ("On Monday the Office held a regular press conference. Reporter: The council said it seeks "
            "“peace through strength”. What is your comment? Office Spokesman Lan Wei: The claim is "
            "“pure fiction”. We firmly oppose it.")
    assert speaker_of(text, "pure fiction") == "Lan Wei"
    assert speaker_of(text, "peace through strength") != "Lan Wei"


def test_a_person_the_text_only_describes_is_who_he_stands_for():
    text = ("Northgate is waiting for an “appropriate measure” from Ruritania, a presidential official said.\n\n"
            "Tensions rose after Ruritania's Ambassador Lan Wei said those who bet against Ruritania "
            "“will definitely regret it.”\n\n"
            "“There was something that ran contrary to protocol,” the presidential official told reporters.\n\n"
            "“We are waiting for the other side to act,” he said.")
    for quote in ("appropriate measure", "There was something that ran contrary to protocol,",
                  "We are waiting for the other side to act,"):
        assert speaker_of(text, quote) == "a presidential official", quote


def test_remarks_titled_as_a_spokesperson_s_are_the_spokesperson_s_words():
    text = ("Embassy Spokesperson's Remarks on the So-called “Democracy Forum”\n2022-06-11 16:11\n\n"
            "The so-called forum smeared Ruritania. It invited a handful of separatists to advocate "
            "“Northgate independence”, interfering in Ruritania's internal affairs.")
    assert speaker_of(text, "Northgate independence") == "Embassy Spokesperson"
    assert speaker_of(text, "Democracy Forum") == "Embassy Spokesperson"
    headline = "Minister's remarks on trade spark “deep concern” in Northgate\nThe remarks drew criticism."
    assert speaker_of(headline, "deep concern") != "Minister"


@pytest.mark.parametrize("text, quote", [
    ("Arla Venn and Piet Tolle agreed on Monday to “push back” against the levy.", "push back"),
    ("Arla Venn met Piet Tolle in Harbin on Monday. The two leaders called for “steady dialogue” on trade.",
     "steady dialogue"),
    ("Arla Venn and Piet Tolle met in Harbin on Monday. “We will keep talking,” they said.", "We will keep talking,"),
])
def test_names_given_together_speak_together(text, quote):
    assert speaker_of(text, quote) == "Arla Venn and Piet Tolle"


def test_one_leader_after_names_given_together_is_that_leader():
    text = ("Arla Venn and Piet Tolle met in Harbin on Monday. Venn said the talks were “candid and useful”, "
            "and Tolle called them “a first step”.")
    assert speaker_of(text, "candid and useful") == "Arla Venn"
    assert speaker_of(text, "a first step") == "Piet Tolle"


def test_a_joint_speaker_is_split_and_joined_in_the_texts_order():
    from stance.evaluate import split_joint
    from stance.extraction.attribution_rules import join_names

    names = ["Arla Venn", "Piet Tolle", "Oda Marsh"]
    assert split_joint(join_names(names)) == names
    assert split_joint("Arla Venn") == ["Arla Venn"]


def test_a_headline_word_is_not_part_of_a_name_the_text_gives_without_it():
    from stance.extraction.mentions import name_in_text, without_common_word

    text = "The Venn and Tolle Press Conference Began in Harbin\n\nTolle spoke to the press. “We agree,” Tolle said."
    assert without_common_word("Tolle Press", text) == "Tolle"
    assert name_in_text("Tolle", text[:text.index("“")]) == "Tolle"
    assert without_common_word("Rob Price", "Rob Price said the price rose.") == "Rob Price"  # a surname stays


def test_an_unnamed_spokesperson_is_not_a_minister_the_text_names_and_keeps_their_post():
    text = ("The Embassy of Torvia has denounced a statement by Foreign Minister Piet Tolle, who said on Tuesday that "
            "there was no dispute. “We are seriously concerned,” said the spokesperson for the Torvian Embassy in "
            "Harbin on Wednesday.")
    assert speaker_of(text, "We are seriously concerned,") == "the spokesperson for the Torvian Embassy in Harbin"


def test_the_former_holder_of_an_office_may_hold_another_now():
    from stance.extraction.attribution_resolve import office_differs

    assert office_differs("the spokesperson", "foreign minister")
    assert not office_differs("the former Torvian prime minister", "alliance secretary general")


def test_unnamed_officials_are_not_one_person_the_text_names():
    text = ("Foreign Minister Piet Tolle met his Torvian counterpart in Harbin on Monday. “We are ready to talk,” "
            "Tolle said. Torvian officials later described the talks as “useful”.")
    assert speaker_of(text, "useful") == "Torvian officials"



@pytest.mark.parametrize("text, speaker", [
    ("The Torvian Coast Guard accused Harbin of dangerous moves on Monday. “We will defend our waters,” it said. "
     "The coast guard also called the moves “reckless”.", "The Torvian Coast Guard"),
    ("Torvia’s National Maritime Task Force said on Monday that the ships had come close. The task force called the "
     "moves “reckless”.", "National Maritime Task Force"),
])
def test_the_coast_guard_or_the_task_force_is_the_one_the_text_named(text, speaker):
    assert speaker_of(text, "reckless") == speaker


def test_a_headline_s_chief_is_the_head_the_text_names_after_it():
    text = ("Torvian alliance chief says summit comes at 'critical time'\n\n"
            "HARBIN — A summit of the Torvian alliance next month comes at a critical time, its Secretary General "
            "Arla Venn told reporters on Tuesday. “We face new threats,” Venn said.")
    assert speaker_of(text, "critical time") == "Arla Venn"


# --- 2026-12-06: rules found on the dev texts' misses ---------------------------------------------

def test_a_single_turn_labelled_with_a_name_the_text_gave_before_is_that_persons():
    text = ("Council Spokesperson Edda Quill answered questions on Monday.\n\n"
            "Ledger Radio: The harbour board said the levy is fair. What is your response?\n\n"
            "Edda Quill: The board keeps playing the same “anti-harbour” tune. The so-called “levy trap” is a myth.")
    assert speaker_of(text, "anti-harbour") == "Edda Quill"
    assert speaker_of(text, "levy trap") == "Edda Quill"
    # a label the text never named before is not a turn on its own
    assert [t.label for t in transcript_turns(text)] == ["Ledger Radio", "Edda Quill"]
    assert transcript_turns(text[text.index("Ledger Radio"):]) == []


def test_a_sentence_that_introduces_a_quote_with_a_colon_is_not_a_speakers_turn():
    text = ("Lan Wei met Edda Quill in Velmar on Monday.\n\n"
            "Meanwhile, Lan told Quill: “This year marks the tenth year of the harbour pact.”\n\n"
            "“It is difficult to start a wheel that has stopped,” Quill said. “We must keep the momentum.”\n")
    assert transcript_turns(text) == []
    assert speaker_of(text, "We must keep the momentum.") == "Edda Quill"
