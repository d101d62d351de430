// TeamDirectory: opening, names, users, groups and tokens. Workspaces and grants: workspaces.cc.
#include "team/team_directory.h"

#include <algorithm>

#include "catalog/postgres/pg_migrations.h"
#include "catalog/postgres/pg_pool.h"
#include "catalog/postgres/pg_schema.h"
#include "catalog/postgres/pg_txn.h"
#include "catalog/postgres/postgres_catalog.h"
#include "chunking/sha256.h"
#include "common/clock.h"
#include "common/hex.h"
#include "common/secure_random.h"
#include "team/team_queries.h"

namespace reel {

using postgres::AsBytes;
using postgres::PgConn;
using postgres::PgPool;
using postgres::PgRows;

namespace {

constexpr std::string_view kTokenPrefix = "reel_";
constexpr size_t kTokenSecretBytes = 32;  // 256 bits

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

// The SHA-256 of a well-formed secret, as stored; nullopt for anything else.
std::optional<ChunkId> TokenHash(std::string_view secret) {
  if (secret.size() != kTokenPrefix.size() + 2 * kTokenSecretBytes ||
      !secret.starts_with(kTokenPrefix)) {
    return std::nullopt;
  }
  auto raw = FromHex(secret.substr(kTokenPrefix.size()));
  if (!raw) return std::nullopt;
  return Sha256(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(secret.data()),
                                         secret.size()));
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kReader: return "reader";
    case Role::kWriter: return "writer";
    case Role::kAdmin: return "admin";
    case Role::kNone: break;
  }
  return "none";
}

Result<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kReader, Role::kWriter, Role::kAdmin}) {
    if (name == RoleName(r)) return r;
  }
  return Status::InvalidArgument("unknown role \"" + std::string(name.substr(0, 32)) +
                                 "\" (reader, writer or admin)");
}

Status ValidateTeamName(std::string_view what, std::string_view name) {
  const bool ok = !name.empty() && name.size() <= 64 && name[0] != '.' && name[0] != '_' &&
                  name[0] != '-' && std::all_of(name.begin(), name.end(), IsNameChar);
  if (ok) return Status::Ok();
  return Status::InvalidArgument(std::string(what) + " name \"" +
                                 std::string(name.substr(0, 64)) +
                                 "\": 1 to 64 of a-z 0-9 . _ -, starting with a letter or digit");
}

TeamDirectory::TeamDirectory(std::unique_ptr<PgPool> pool)
    : pool_(std::move(pool)), catalog_(postgres::PostgresCatalog::OnPool(*pool_)) {}
TeamDirectory::~TeamDirectory() = default;

Result<std::unique_ptr<TeamDirectory>> TeamDirectory::Open(const std::string& uri) {
  REEL_ASSIGN_OR_RETURN(std::unique_ptr<PgPool> pool, PgPool::Open(uri, PgPool::Options{}));
  const std::string where = "team directory " + pool->target().ToString();
  REEL_RETURN_IF_ERROR(
      postgres::ApplyPgMigrations(*pool, postgres::CatalogMigrations()).WithContext(where));
  const TimeNs now = WallClockNs();
  REEL_RETURN_IF_ERROR(pool->Transaction([&](PgConn& c) -> Status {
                         postgres::PgTxn tx(c);
                         REEL_RETURN_IF_ERROR(tx.EnsureRoot(0, 0, now));
                         return tx.Finish();
                       })
                           .WithContext(where));
  return std::unique_ptr<TeamDirectory>(new TeamDirectory(std::move(pool)));
}

Result<User> TeamDirectory::AddUser(const std::string& name, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateTeamName("user", name));
  User user;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    postgres::PgTxn tx(c);
    REEL_ASSIGN_OR_RETURN(
        PgRows rows,
        c.Query("INSERT INTO users (name, created) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING "
                "RETURNING id",
                name, now));
    if (rows.empty()) return Status::AlreadyExists("user \"" + name + "\" exists");
    user = User{rows.U64(0, 0), name, now};
    REEL_RETURN_IF_ERROR(team::CreateWorkspaceIn(tx, name, user.id, /*home=*/true, now).status());
    return tx.Finish();
  }));
  return user;
}

Result<User> TeamDirectory::FindUser(const std::string& name) {
  REEL_RETURN_IF_ERROR(ValidateTeamName("user", name));
  std::optional<User> user;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(user, team::FindUserIn(c, name));
    return Status::Ok();
  }));
  if (!user) return Status::NotFound("no user \"" + name + "\"");
  return *user;
}

Result<std::vector<User>> TeamDirectory::ListUsers() {
  std::vector<User> out;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(PgRows rows, c.Query("SELECT id, name, created FROM users ORDER BY name"));
    out.clear();
    for (int r = 0; r < rows.size(); ++r) {
      out.push_back(User{rows.U64(r, 0), rows.Text(r, 1), rows.Int(r, 2)});
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<GroupInfo>> TeamDirectory::ListGroups() {
  std::vector<GroupInfo> out;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(
        PgRows rows,
        c.Query("SELECT g.name, coalesce(u.name, '') FROM user_groups g "
                "LEFT JOIN group_members m ON m.group_id = g.id "
                "LEFT JOIN users u ON u.id = m.user_id ORDER BY g.name, u.name"));
    out.clear();
    for (int r = 0; r < rows.size(); ++r) {
      if (out.empty() || out.back().name != rows.Text(r, 0)) out.push_back({rows.Text(r, 0), {}});
      if (std::string member = rows.Text(r, 1); !member.empty()) {
        out.back().members.push_back(std::move(member));
      }
    }
    return Status::Ok();
  }));
  return out;
}

Status TeamDirectory::AddGroup(const std::string& name, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateTeamName("group", name));
  return pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(PgRows rows,
                          c.Query("INSERT INTO user_groups (name, created) VALUES ($1, $2) "
                                  "ON CONFLICT (name) DO NOTHING RETURNING id",
                                  name, now));
    if (rows.empty()) return Status::AlreadyExists("group \"" + name + "\" exists");
    return Status::Ok();
  });
}

Status TeamDirectory::AddToGroup(const std::string& group, const std::string& user) {
  REEL_RETURN_IF_ERROR(ValidateTeamName("group", group));
  REEL_RETURN_IF_ERROR(ValidateTeamName("user", user));
  return pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(uint64_t group_id, team::PrincipalIdIn(c, "@" + group));
    REEL_ASSIGN_OR_RETURN(uint64_t user_id, team::PrincipalIdIn(c, user));
    return c.Exec("INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) "
                  "ON CONFLICT DO NOTHING",
                  group_id, user_id);
  });
}

Result<IssuedToken> TeamDirectory::CreateToken(const std::string& user, TimeNs now,
                                               TimeNs expires) {
  REEL_RETURN_IF_ERROR(ValidateTeamName("user", user));
  if (expires != 0 && expires <= now) return Status::InvalidArgument("a token must expire later");
  IssuedToken token;
  token.secret = std::string(kTokenPrefix) + ToHex(SecureRandomBytes(kTokenSecretBytes));
  token.expires = expires;
  const ChunkId hash = *TokenHash(token.secret);
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(uint64_t user_id, team::PrincipalIdIn(c, user));
    REEL_ASSIGN_OR_RETURN(
        PgRows rows,
        c.Query("INSERT INTO tokens (user_id, hash, created, expires) VALUES ($1, $2, $3, $4) "
                "RETURNING id",
                user_id, postgres::Bytes{hash.bytes.data(), hash.bytes.size()}, now, expires));
    token.id = rows.U64(0, 0);
    return Status::Ok();
  }));
  return token;
}

Result<User> TeamDirectory::Authenticate(std::string_view secret, TimeNs now) {
  const Status refused = Status::Unauthenticated("invalid, expired or revoked token");
  const std::optional<ChunkId> hash = TokenHash(secret);
  if (!hash) return refused;
  std::optional<User> user;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(
        PgRows rows,
        c.Query("SELECT u.id, u.name, u.created FROM tokens t JOIN users u ON u.id = t.user_id "
                "WHERE t.hash = $1 AND t.revoked = 0 AND (t.expires = 0 OR t.expires > $2)",
                postgres::Bytes{hash->bytes.data(), hash->bytes.size()}, now));
    user.reset();
    if (!rows.empty()) user = User{rows.U64(0, 0), rows.Text(0, 1), rows.Int(0, 2)};
    return Status::Ok();
  }));
  if (!user) return refused;
  return *user;
}

Status TeamDirectory::RevokeToken(const std::string& user, uint64_t id, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateTeamName("user", user));
  return pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(uint64_t user_id, team::PrincipalIdIn(c, user));
    REEL_ASSIGN_OR_RETURN(PgRows rows,
                          c.Query("UPDATE tokens SET revoked = GREATEST($3::bigint, 1) WHERE id = $1 AND user_id = $2 "
                                  "AND revoked = 0 RETURNING id",
                                  id, user_id, now));
    if (rows.empty()) {
      return Status::NotFound("user \"" + user + "\" has no token " + std::to_string(id) +
                              " that is still valid");
    }
    return Status::Ok();
  });
}

Result<std::vector<TokenInfo>> TeamDirectory::ListTokens(const User& user, TimeNs now,
                                                         std::string_view current) {
  const std::optional<ChunkId> hash = TokenHash(current);
  const postgres::Bytes current_hash =
      hash ? postgres::Bytes{hash->bytes.data(), hash->bytes.size()} : postgres::AsBytes("");
  std::vector<TokenInfo> out;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(
        PgRows rows,
        c.Query("SELECT id, created, expires, hash = $3 FROM tokens WHERE user_id = $1 AND "
                "revoked = 0 AND (expires = 0 OR expires > $2) ORDER BY id",
                user.id, now, current_hash));
    out.clear();
    for (int r = 0; r < rows.size(); ++r) {
      out.push_back(TokenInfo{rows.U64(r, 0), rows.Int(r, 1), rows.Int(r, 2),
                              rows.Text(r, 3) == "t"});
    }
    return Status::Ok();
  }));
  return out;
}

Status TeamDirectory::RevokeTokenSecret(std::string_view secret, TimeNs now) {
  const std::optional<ChunkId> hash = TokenHash(secret);
  if (!hash) return Status::Ok();
  return pool_->Transaction([&](PgConn& c) -> Status {
    return c.Exec("UPDATE tokens SET revoked = GREATEST($2::bigint, 1) WHERE hash = $1 "
                  "AND revoked = 0",
                  postgres::Bytes{hash->bytes.data(), hash->bytes.size()}, now);
  });
}

}  // namespace reel
