#include "sipcred/config/flexisip_config.hpp"
#include "sipcred/config/pjsip_config.hpp"

#include <gtest/gtest.h>

using namespace sipcred;
using namespace sipcred::config;

namespace {

std::vector<std::string> codes(const std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> out;
  for (const Diagnostic& d : diagnostics)
    out.push_back(std::string(d.code) + "@" + std::to_string(d.line) + ":" +
                  std::to_string(d.column));
  return out;
}

} // namespace

TEST(FlexisipConfig, KeepsPositionsOfSectionsKeysAndValues) {
  std::vector<Diagnostic> diagnostics;
  const auto config = FlexisipConfig::parse("# top\n  [global]\n\n[Module::Authentication]\n"
                                            "  Enabled =  true  \nrealm=é x\t\nfile-path=\n",
                                            diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  ASSERT_EQ(config.sections().size(), 2u);
  EXPECT_EQ(config.sections()[0].position.line, 2u);
  EXPECT_EQ(config.sections()[0].position.column, 3u);
  const ConfigSection* auth = config.section("module::authentication");
  ASSERT_NE(auth, nullptr);
  const ConfigEntry* enabled = auth->find("ENABLED");
  ASSERT_NE(enabled, nullptr);
  EXPECT_EQ(enabled->key, "Enabled");
  EXPECT_EQ(enabled->value, "true"); // spaces around '=' and trailing spaces go
  EXPECT_EQ(enabled->key_position.line, 5u);
  EXPECT_EQ(enabled->key_position.column, 3u);
  EXPECT_EQ(enabled->value_position.column, 14u);
  EXPECT_EQ(auth->find("realm")->value, "é x\t"); // a trailing tab stays
  EXPECT_EQ(auth->find("file-path")->value, "");
}

TEST(FlexisipConfig, HashInsideAValueIsNotAComment) {
  std::vector<Diagnostic> diagnostics;
  const auto config = FlexisipConfig::parse("[a]\nk=v # c\n   # comment\n", diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  EXPECT_EQ(config.section("a")->find("k")->value, "v # c");
}

TEST(FlexisipConfig, ReportsBadLinesDuplicatesAndKeysOutsideSections) {
  std::vector<Diagnostic> diagnostics;
  const auto config =
      FlexisipConfig::parse("k=1\n[a]\nx=1\nwords\n[b\n[a]\nX = 2\n=3\n[c] junk\n", diagnostics);
  EXPECT_EQ(codes(diagnostics), (std::vector<std::string>{"SC303@1:1", "SC301@4:1", "SC301@5:3",
                                                          "SC302@7:1", "SC301@8:1", "SC301@9:5"}));
  EXPECT_EQ(config.section("a")->find("x")->value, "1"); // the first value is kept
}

TEST(FlexisipConfig, WarnsOnceAboutCrlfAndKeepsTheCarriageReturn) {
  std::vector<Diagnostic> diagnostics;
  const auto config = FlexisipConfig::parse("[a]\r\nk=v\r\nl=w\r\n", diagnostics);
  EXPECT_EQ(codes(diagnostics), (std::vector<std::string>{"SC304@1:4"}));
  EXPECT_EQ(config.section("a")->find("k")->value, "v\r");
}

TEST(FlexisipConfig, ListsSplitOnSpacesAndLineFeedsOnly) {
  EXPECT_EQ(split_list("  a b\nc\td,e  "), (std::vector<std::string>{"a", "b", "c\td,e"}));
  EXPECT_TRUE(split_list("   ").empty());
}

TEST(PjsipConfig, SectionsTemplatesAndEntries) {
  std::vector<Diagnostic> diagnostics;
  const auto config =
      PjsipConfig::parse("; comment\n[base](!)\ntype=auth\nusername = tpl ; trailing\n\n"
                         "[other](!)\n"
                         "[alice](base, other)\nusername => alice\npassword = a\\;b\n;-- block\n"
                         "password=hidden\n--;\n#include extra.conf\n",
                         diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  ASSERT_EQ(config.sections().size(), 3u);
  EXPECT_TRUE(config.sections()[0].is_template);
  const PjsipSection& alice = config.sections()[2];
  EXPECT_FALSE(alice.is_template);
  EXPECT_EQ(alice.inherits, (std::vector<std::string>{"base", "other"}));
  ASSERT_EQ(alice.entries.size(), 2u);
  EXPECT_EQ(alice.entries[0].value, "alice");
  EXPECT_EQ(alice.entries[0].value_position.column, 13u);
  EXPECT_EQ(alice.entries[1].value, "a;b");
  const auto effective = config.effective_entries(alice);
  ASSERT_EQ(effective.size(), 4u);
  EXPECT_EQ(effective[0].key, "type");
  EXPECT_EQ(effective[1].value, "tpl");
  EXPECT_EQ(alice.find_all("USERNAME").size(), 1u);
}

// Asterisk resolves '(...)' when it reads the header, from the sections above it, and
// refuses the file when a name has none (main/config.c, process_text_line).
TEST(PjsipConfig, TemplatesComeFromSectionsAboveOrTheFileIsRefused) {
  std::vector<Diagnostic> diagnostics;
  const auto config = PjsipConfig::parse(
      "[frank](missing-tpl)\ntype=auth\n[t](!,t)\nx=1\n[s](later)\n[later](!)\n[u](T)\n",
      diagnostics);
  EXPECT_EQ(codes(diagnostics), (std::vector<std::string>{"SC511@1:9", "SC511@3:7", "SC511@5:5"}));
  EXPECT_NE(diagnostics[0].message.find("Inheritance requested, but category 'missing-tpl' "
                                        "does not exist"),
            std::string::npos);
  EXPECT_NE(diagnostics[1].message.find("cannot inherit from itself"), std::string::npos);
  // Names are compared as Asterisk does, ignoring case.
  EXPECT_EQ(config.effective_entries(config.sections()[4]).size(), 1u);
  // Below an #include, a template may come from the included file, which is not read here.
  diagnostics.clear();
  PjsipConfig::parse("[a](missing)\n#include templates.conf\n[b](from-include)\n", diagnostics);
  EXPECT_EQ(codes(diagnostics), std::vector<std::string>{"SC511@1:5"});
}

// Each level of templates can double what it copies: [a1](a0,a0), [a2](a1,a1), ... made
// gigabytes. (The issue's [t](!,t,t,t) is SC511: no t above it; repeated after a [t], each (t)
// names that first [t], as in Asterisk, and nothing grows.)
TEST(PjsipConfig, TemplateExpansionIsBounded) {
  std::vector<Diagnostic> diagnostics;
  std::string text = "[t](!)\nx=1\n";
  for (int i = 0; i < 40; ++i) text += "[t](!,t,t,t)\nx=1\n";
  text += "[s](t)\n";
  const auto config = PjsipConfig::parse(text, diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  EXPECT_EQ(config.effective_entries(config.sections()[1]).size(), 4u);
  EXPECT_EQ(config.effective_entries(config.sections().back()).size(), 1u);

  std::string doubling = "[a0](!)\nx=1\n";
  for (int i = 1; i < 40; ++i)
    doubling += "[a" + std::to_string(i) + "](!,a" + std::to_string(i - 1) + ",a" +
                std::to_string(i - 1) + ")\n";
  const auto doubled = PjsipConfig::parse(doubling, diagnostics);
  // Each use of a template counts: a12 costs 3 x 4,096 - 2 = 12,286 > 10,000. Past it, a
  // refused section copies nothing, yet using it twice a level doubles again: a25, a38.
  EXPECT_EQ(codes(diagnostics),
            (std::vector<std::string>{"SC512@14:1", "SC512@27:1", "SC512@40:1"}));
  for (const PjsipSection& section : doubled.sections())
    EXPECT_LE(doubled.effective_entries(section).size(), PjsipConfig::max_section_entries);

  // Many sections of one large template: the total is bounded too.
  diagnostics.clear();
  std::string wide = "[big](!)\n";
  for (int i = 0; i < 9000; ++i) wide += "k=v\n";
  for (int i = 0; i < 300; ++i) wide += "[e" + std::to_string(i) + "](big)\n";
  const auto many = PjsipConfig::parse(wide, diagnostics);
  ASSERT_FALSE(diagnostics.empty());
  EXPECT_EQ(diagnostics.front().code, "SC512");
  // 9,000 entries in the file: the floor of 200,000 applies. Each e costs 9,001 (the template's
  // entries and its use): 9,000 + 9,001 x 22 > 200,000 at e21.
  EXPECT_EQ(diagnostics.front().line, 9001u + 22u);
  std::size_t total = 0;
  for (const PjsipSection& section : many.sections())
    total += many.effective_entries(section).size();
  EXPECT_LE(total, PjsipConfig::min_total_entries);

  // A larger file may expand further, 16 times its own entries: 39,000 here, so 624,000.
  diagnostics.clear();
  std::string large = "[big](!)\n";
  for (int i = 0; i < 9000; ++i) large += "k=v\n";
  for (int i = 0; i < 300; ++i) {
    large += "[e" + std::to_string(i) + "](big)\n";
    for (int j = 0; j < 100; ++j) large += "o=v\n";
  }
  const auto larger = PjsipConfig::parse(large, diagnostics);
  ASSERT_FALSE(diagnostics.empty());
  EXPECT_EQ(diagnostics.front().code, "SC512");
  // 9,000 + 9,101 x 68 > 624,000: e67, whose header is on line 9,002 + 101 x 67.
  EXPECT_EQ(diagnostics.front().line, 9002u + 101u * 67u);
}

TEST(PjsipConfig, ReportsLinesItCannotRead) {
  std::vector<Diagnostic> diagnostics;
  PjsipConfig::parse("x=1\n[a\n[b](!\n[c]\nnothing here\n[d] junk\n", diagnostics);
  EXPECT_EQ(codes(diagnostics), (std::vector<std::string>{"SC501@1:1", "SC501@2:3", "SC501@3:6",
                                                          "SC501@5:1", "SC501@6:5"}));
}

TEST(PjsipConfig, PlusAddsToTheEarlierSection) {
  std::vector<Diagnostic> diagnostics;
  const auto config = PjsipConfig::parse(
      "[alice]\ntype=auth\n[bob]\ntype=aor\n[alice](+)\nusername=alice\n[carol](+)\nx=1\n",
      diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  ASSERT_EQ(config.sections().size(), 3u); // a (+) without an earlier section starts one
  EXPECT_EQ(config.sections()[0].entries.size(), 2u);
  EXPECT_EQ(config.sections()[0].entries[1].key, "username");
  EXPECT_EQ(config.sections()[2].name, "carol");
}
