// What each server schema can hold, stated once in the store module.
#include "sipcred/store/store.hpp"

#include <gtest/gtest.h>

using namespace sipcred;

TEST(SchemaAlgorithm, KamailioHashesWithMd5OrSha256Only) {
  EXPECT_EQ(schema_algorithm_refusal(Schema::Kamailio, HashFunction::Md5), "");
  EXPECT_EQ(schema_algorithm_refusal(Schema::Kamailio, HashFunction::Sha256), "");
  EXPECT_NE(schema_algorithm_refusal(Schema::Kamailio, HashFunction::Sha512_256), "");
}

TEST(SchemaAlgorithm, OtherSchemasKeepEveryHash) {
  for (Schema schema : {Schema::Flexisip, Schema::Flexiapi, Schema::Opensips, Schema::Asterisk})
    for (HashFunction hash : all_hash_functions)
      EXPECT_EQ(schema_algorithm_refusal(schema, hash), "") << schema_name(schema);
}

TEST(SchemaName, EverySchemaParsesBackFromItsName) {
  for (Schema schema : all_schemas) EXPECT_EQ(parse_schema(schema_name(schema)), schema);
  EXPECT_EQ(parse_schema("FlexiAPI"), std::nullopt);
  EXPECT_EQ(schema_names(), "flexisip, flexiapi, kamailio, opensips or asterisk");
}
