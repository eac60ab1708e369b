// ferrite-audit: the unsafe-construct audit of ferrite's own code, run by the
// compiler.
//
// Every construct the compiler cannot check for memory or thread safety is
// found in the AST, whatever spelling, macro, alias or using-declaration
// produced it, and must sit under a `// SAFETY(id): ...` note (an
// `// ORDERING(id): ...` note for an atomic order weaker than seq_cst):
//
//   casts        reinterpret_cast, const_cast, a C-style or functional cast to a
//                pointer or reference that changes the pointee type or drops
//                const, static_cast from void*, bit_cast to or from a pointer
//   lifetimes    placement new, explicit destructor calls, delete, unions and
//                accesses to their members, std::launder, construct_at,
//                destroy / destroy_at / destroy_n, uninitialized_*,
//                memcpy / memmove / memset
//   buffers      pointer arithmetic (p + n, p - n, ++, --, std::next / prev /
//                advance on a raw pointer; not p - q), subscripts of raw
//                pointers and built-in arrays, and every
//                `unsafe_buffer_usage` opt-out region (FERRITE_UNSAFE_BUFFERS,
//                FERRITE_UNSAFE_BEGIN, or the pragma under any other name)
//   opt-ins      FERRITE_UNSAFE_IMPL_SEND / FERRITE_UNSAFE_IMPL_SYNC /
//                FERRITE_UNSAFE_IMPL_SYNC_MUT
//   atomics      every call whose std::memory_order argument evaluates to an
//                order weaker than seq_cst (std::atomic, std::atomic_ref,
//                fences, ...), every __atomic / __c11_atomic builtin likewise,
//                and every order that is not a constant
//
// A construct's note is the block of `//` lines that ends on the line directly
// above its statement or declaration, or above any statement that encloses it
// (so one note above a loop covers the loop), or above the opt-out region it
// sits in. A construct without its note is a compile error.
//
// Only files whose path (relative to the working directory) starts with an
// audited prefix are checked: include/ferrite/ and lib/ unless `prefix=P`
// arguments name others. Arguments (-Xclang -plugin-arg-ferrite-audit -Xclang
// ARG, or -fplugin-arg-ferrite-audit-ARG):
//
//   on            run the audit (loading the plugin alone does not)
//   prefix=P      audit files under P (repeatable; replaces the default)
//   out=FILE      write every construct as one JSON object a line:
//                 {"file","line","col","kind","tag","id","note_line","note"}
//   warn          report missing notes as warnings, not errors

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "clang/Lex/Preprocessor.h"
#include "llvm/Support/raw_ostream.h"

using namespace clang;

namespace {

struct AuditOptions {
  bool enabled = false;
  bool warn = false;
  std::vector<std::string> prefixes;
  std::string out;
};

// A construct found in an audited file.
struct Site {
  SourceLocation loc;  // where the diagnostic points (may be a macro location)
  FileID file;
  unsigned offset;  // of the expansion location in `file`
  std::string kind;
};

// A statement or declaration a note may precede.
struct Anchor {
  unsigned begin, end;  // expansion offsets in the file
  unsigned line;        // first line
};

// A `// SAFETY(id): text` or `// ORDERING(id): text` note.
struct Note {
  std::string tag, id, text;
  unsigned line = 0;
};

bool IsAtomicKind(const std::string& kind) { return kind.rfind("atomic-", 0) == 0; }

// The enclosing namespaces of `decl`, outermost first ("std", "ranges").
std::vector<std::string> Namespaces(const Decl* decl) {
  std::vector<std::string> out;
  for (const DeclContext* ctx = decl->getDeclContext(); ctx != nullptr; ctx = ctx->getParent()) {
    if (const auto* ns = dyn_cast<NamespaceDecl>(ctx)) {
      if (!ns->isInline() && !ns->isAnonymousNamespace()) out.insert(out.begin(), ns->getNameAsString());
    }
  }
  return out;
}

bool InStd(const Decl* decl) {
  auto ns = Namespaces(decl);
  return !ns.empty() && ns.front() == "std";
}

bool IsGlobal(const Decl* decl) {
  return decl->getDeclContext()->getRedeclContext()->isTranslationUnit();
}

// Library functions that start or end lifetimes or copy bytes, by name.
const std::set<std::string>& LifetimeFunctions() {
  static const std::set<std::string> names = {
      "launder",
      "construct_at",
      "destroy_at",
      "destroy",
      "destroy_n",
      "uninitialized_copy",
      "uninitialized_copy_n",
      "uninitialized_move",
      "uninitialized_move_n",
      "uninitialized_fill",
      "uninitialized_fill_n",
      "uninitialized_default_construct",
      "uninitialized_default_construct_n",
      "uninitialized_value_construct",
      "uninitialized_value_construct_n",
      "start_lifetime_as",
      "start_lifetime_as_array",
  };
  return names;
}

const std::set<std::string>& ByteFunctions() {
  static const std::set<std::string> names = {"memcpy", "memmove", "memset"};
  return names;
}

std::string StripBuiltin(std::string name) {
  const std::string builtin = "__builtin_";
  if (name.rfind(builtin, 0) == 0) name = name.substr(builtin.size());
  return name;
}

const char* OrderName(int64_t order) {
  switch (order & 0xffff) {
    case 0:
      return "relaxed";
    case 1:
      return "consume";
    case 2:
      return "acquire";
    case 3:
      return "release";
    case 4:
      return "acq_rel";
    default:
      return nullptr;  // seq_cst
  }
}

bool IsMemoryOrder(QualType type) {
  const auto* enum_type = type.getCanonicalType()->getAs<EnumType>();
  if (enum_type == nullptr) return false;
  const EnumDecl* decl = enum_type->getDecl();
  return decl->getName() == "memory_order" && InStd(decl);
}

bool IsPointerLike(QualType type) {
  return type->isAnyPointerType() || type->isReferenceType() || type->isMemberPointerType();
}

// True if the cast from `from` to `to` (pointers or references) changes the
// pointee type or drops a qualifier.
bool ChangesPointee(ASTContext& ctx, QualType from, QualType to) {
  auto pointee = [](QualType t) -> QualType {
    if (const auto* p = t->getAs<PointerType>()) return p->getPointeeType();
    if (const auto* r = t->getAs<ReferenceType>()) return r->getPointeeType();
    return t;
  };
  QualType a = pointee(from), b = pointee(to);
  if (to->isReferenceType()) a = from;  // an lvalue cast: the source is the object
  if (!b.getQualifiers().compatiblyIncludes(a.getQualifiers())) return true;
  return !ctx.hasSameUnqualifiedType(a, b);
}

class AuditVisitor : public RecursiveASTVisitor<AuditVisitor> {
 public:
  AuditVisitor(ASTContext& ctx, const AuditOptions& options) : ctx_(ctx), sm_(ctx.getSourceManager()), options_(options) {}

  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitLambdaBody() const { return true; }

  std::vector<Site>& sites() { return sites_; }
  std::map<FileID, std::vector<Anchor>>& anchors() { return anchors_; }

  // The path of a file as compiled, without a leading "./". A header that
  // Bazel reached through the library's strip_include_prefix
  // (bazel-out/<config>/bin/_virtual_includes/ferrite/ferrite/x.h) is named
  // by its place in the tree, include/ferrite/x.h.
  std::string PathOf(FileID file) {
    OptionalFileEntryRef entry = sm_.getFileEntryRefForID(file);
    if (!entry) return "";
    std::string path = entry->getName().str();
    while (path.rfind("./", 0) == 0) path = path.substr(2);
    static const std::string kVirtual = "/_virtual_includes/ferrite/";
    if (std::size_t at = path.find(kVirtual); at != std::string::npos) {
      path = "include/" + path.substr(at + kVirtual.size());
    }
    return path;
  }

  bool Audited(FileID file) {
    auto found = audited_.find(file);
    if (found != audited_.end()) return found->second;
    std::string path = PathOf(file);
    bool audited = false;
    for (const std::string& prefix : options_.prefixes) {
      if (path.rfind(prefix, 0) == 0) audited = true;
    }
    audited_[file] = audited;
    return audited;
  }

  void Add(SourceLocation loc, const std::string& kind) {
    if (loc.isInvalid()) return;
    SourceLocation expansion = sm_.getExpansionLoc(loc);
    auto [file, offset] = sm_.getDecomposedLoc(expansion);
    if (file.isInvalid() || !Audited(file)) return;
    if (!seen_.insert({file, offset, kind}).second) return;
    sites_.push_back({loc, file, offset, kind});
  }

  void AddAnchor(SourceRange range) {
    if (range.isInvalid()) return;
    CharSourceRange expansion = sm_.getExpansionRange(range);
    auto [file, begin] = sm_.getDecomposedLoc(expansion.getBegin());
    auto [end_file, end] = sm_.getDecomposedLoc(expansion.getEnd());
    if (file.isInvalid() || file != end_file || !Audited(file)) return;
    anchors_[file].push_back({begin, end, sm_.getLineNumber(file, begin)});
  }

  // ------------------------------------------------------------ anchors

  bool VisitCompoundStmt(CompoundStmt* stmt) {
    for (Stmt* child : stmt->body()) AddAnchor(child->getSourceRange());
    return true;
  }

  bool VisitStmt(Stmt* stmt) {
    // Any statement but a block: a note above a loop or an `if` covers it.
    if (!isa<Expr>(stmt) && !isa<CompoundStmt>(stmt)) AddAnchor(stmt->getSourceRange());
    return true;
  }

  bool VisitDecl(Decl* decl) {
    if (decl->isImplicit()) return true;
    // A note above a function or a namespace does not cover its body; one
    // above a class covers its head (`template <...> union Name`), and one
    // above any other declaration (a field, a variable) covers all of it.
    if (isa<FunctionDecl>(decl) || isa<FunctionTemplateDecl>(decl) || isa<NamespaceDecl>(decl) ||
        isa<TranslationUnitDecl>(decl) || isa<LinkageSpecDecl>(decl)) {
      return true;
    }
    if (isa<TagDecl>(decl) || isa<ClassTemplateDecl>(decl)) {
      AddAnchor(SourceRange(decl->getBeginLoc(), decl->getLocation()));
      return true;
    }
    AddAnchor(decl->getSourceRange());
    return true;
  }

  // ------------------------------------------------------------ casts

  bool VisitCXXReinterpretCastExpr(CXXReinterpretCastExpr* expr) {
    Add(expr->getOperatorLoc(), "reinterpret_cast");
    return true;
  }

  bool VisitCXXConstCastExpr(CXXConstCastExpr* expr) {
    Add(expr->getOperatorLoc(), "const_cast");
    return true;
  }

  bool VisitCXXStaticCastExpr(CXXStaticCastExpr* expr) {
    QualType from = expr->getSubExpr()->getType();
    QualType to = expr->getTypeAsWritten();
    if (from->isPointerType() && from->getPointeeType()->isVoidType() && to->isPointerType() &&
        !to->getPointeeType()->isVoidType()) {
      Add(expr->getOperatorLoc(), "static_cast-void");
    }
    return true;
  }

  bool VisitExplicitCastExpr(ExplicitCastExpr* expr) {
    if (!isa<CStyleCastExpr>(expr) && !isa<CXXFunctionalCastExpr>(expr)) return true;
    QualType to = expr->getTypeAsWritten();
    if (!IsPointerLike(to)) return true;
    switch (expr->getCastKind()) {
      case CK_BitCast:
      case CK_LValueBitCast:
      case CK_LValueToRValueBitCast:
      case CK_IntegralToPointer:
      case CK_ReinterpretMemberPointer:
      case CK_BaseToDerived:
      case CK_BaseToDerivedMemberPointer:
        Add(expr->getBeginLoc(), "c-style-cast");
        break;
      case CK_NoOp:
      case CK_Dependent:
        if (!expr->isTypeDependent() && ChangesPointee(ctx_, expr->getSubExpr()->getType(), to)) {
          Add(expr->getBeginLoc(), "c-style-cast");
        }
        break;
      default:
        break;
    }
    return true;
  }

  bool VisitBuiltinBitCastExpr(BuiltinBitCastExpr* expr) {
    if (IsPointerLike(expr->getType()) || IsPointerLike(expr->getSubExpr()->getType())) {
      Add(expr->getBeginLoc(), "bit_cast");
    }
    return true;
  }

  // ------------------------------------------------------------ lifetimes

  bool VisitCXXNewExpr(CXXNewExpr* expr) {
    unsigned count = expr->getNumPlacementArgs();
    if (count == 0) return true;
    if (count == 1) {
      QualType arg = expr->getPlacementArg(0)->getType().getCanonicalType().getUnqualifiedType();
      if (const auto* record = arg->getAsCXXRecordDecl()) {
        if (record->getName() == "nothrow_t" && InStd(record)) return true;
      }
    }
    Add(expr->getBeginLoc(), "placement-new");
    return true;
  }

  bool VisitCXXDeleteExpr(CXXDeleteExpr* expr) {
    Add(expr->getBeginLoc(), "delete");
    return true;
  }

  bool VisitCXXMemberCallExpr(CXXMemberCallExpr* expr) {
    if (isa_and_nonnull<CXXDestructorDecl>(expr->getMethodDecl())) {
      Add(expr->getExprLoc(), "destructor-call");
    }
    return true;
  }

  bool VisitCXXPseudoDestructorExpr(CXXPseudoDestructorExpr* expr) {
    Add(expr->getBeginLoc(), "destructor-call");
    return true;
  }

  bool VisitCXXDependentScopeMemberExpr(CXXDependentScopeMemberExpr* expr) {
    if (expr->getMember().getNameKind() == DeclarationName::CXXDestructorName) {
      Add(expr->getMemberLoc(), "destructor-call");
    }
    return true;
  }

  bool VisitUnresolvedMemberExpr(UnresolvedMemberExpr* expr) {
    if (expr->getMemberName().getNameKind() == DeclarationName::CXXDestructorName) {
      Add(expr->getMemberLoc(), "destructor-call");
    }
    return true;
  }

  bool VisitRecordDecl(RecordDecl* decl) {
    if (decl->isUnion() && decl->isThisDeclarationADefinition() && !decl->isImplicit()) {
      Add(decl->getLocation().isValid() && !decl->isAnonymousStructOrUnion() ? decl->getLocation()
                                                                             : decl->getBeginLoc(),
          "union");
    }
    return true;
  }

  // A union declared in audited code, or one with a member that is not
  // trivial (whose lifetime someone manages by hand).
  bool AuditedUnion(const RecordDecl* record) {
    if (!record->isUnion()) return false;
    SourceLocation loc = sm_.getExpansionLoc(record->getLocation());
    if (loc.isValid() && Audited(sm_.getFileID(loc))) return true;
    for (const FieldDecl* field : record->fields()) {
      if (!field->getType().isTriviallyCopyableType(ctx_) || field->getType().isDestructedType()) return true;
    }
    return false;
  }

  bool VisitMemberExpr(MemberExpr* expr) {
    const auto* field = dyn_cast<FieldDecl>(expr->getMemberDecl());
    if (field == nullptr || !AuditedUnion(field->getParent())) return true;
    Add(expr->isImplicitAccess() ? expr->getBeginLoc() : expr->getMemberLoc(), "union-access");
    return true;
  }

  // ------------------------------------------------------------ calls

  // The name of the library function a call reaches (std::, ::, a
  // std::ranges function object, or an unresolved name in a template), or "".
  std::string LibraryCallee(CallExpr* call) {
    if (const FunctionDecl* callee = call->getDirectCallee()) {
      if (const auto* op = dyn_cast<CXXOperatorCallExpr>(call)) {
        if (op->getOperator() == OO_Call) {
          const Expr* object = op->getArg(0)->IgnoreParenImpCasts();
          if (const auto* ref = dyn_cast<DeclRefExpr>(object)) {
            if (InStd(ref->getDecl())) return ref->getDecl()->getNameAsString();
          }
        }
        return "";
      }
      if (!callee->getIdentifier()) return "";
      std::string name = StripBuiltin(callee->getName().str());
      if (callee->getBuiltinID() != 0 || InStd(callee) || IsGlobal(callee)) return name;
      return "";
    }
    const Expr* callee = call->getCallee()->IgnoreParenImpCasts();
    if (const auto* lookup = dyn_cast<UnresolvedLookupExpr>(callee)) {
      if (lookup->getName().isIdentifier()) return StripBuiltin(lookup->getName().getAsString());
    }
    return "";
  }

  bool VisitCallExpr(CallExpr* call) {
    std::string name = LibraryCallee(call);
    SourceLocation loc = call->getBeginLoc();
    if (!name.empty() && call->getCallee() != nullptr) {
      loc = call->getCallee()->IgnoreParenImpCasts()->getExprLoc();
    }
    if (auto* op = dyn_cast<CXXOperatorCallExpr>(call)) loc = op->getBeginLoc();
    if (LifetimeFunctions().count(name)) {
      Add(loc, name);
    } else if (ByteFunctions().count(name)) {
      Add(loc, name);
    } else if (name == "bit_cast") {
      bool pointer = IsPointerLike(call->getType());
      for (const Expr* arg : call->arguments()) pointer = pointer || IsPointerLike(arg->getType());
      if (pointer) Add(loc, "bit_cast");
    } else if ((name == "next" || name == "prev" || name == "advance") && call->getNumArgs() > 0) {
      QualType arg = call->getArg(0)->IgnoreParenImpCasts()->getType();
      if (arg->isPointerType() || arg->isArrayType()) Add(loc, "pointer-arithmetic");
    }
    // Atomic orders: every argument of type std::memory_order, reported where
    // the argument is written (the same place in a template and in each of
    // its instantiations).
    for (const Expr* arg : call->arguments()) {
      if (isa<CXXDefaultArgExpr>(arg)) continue;
      if (arg->isTypeDependent() || !IsMemoryOrder(arg->getType())) continue;
      AddOrder(arg, arg->getBeginLoc());
    }
    return true;
  }

  void AddOrder(const Expr* arg, SourceLocation at) {
    if (arg->isValueDependent()) return;  // checked in each instantiation
    Expr::EvalResult result;
    if (!arg->EvaluateAsRValue(result, ctx_) || !(result.Val.isInt())) {
      Add(at, "atomic-nonconstant");
      return;
    }
    if (const char* order = OrderName(result.Val.getInt().getExtValue())) {
      Add(at, std::string("atomic-") + order);
    }
  }

  bool VisitAtomicExpr(AtomicExpr* expr) {
    std::vector<const Expr*> orders = {expr->getOrder()};
    if (expr->isCmpXChg()) orders.push_back(expr->getOrderFail());
    for (const Expr* order : orders) {
      if (order == nullptr || order->isValueDependent()) continue;
      SourceLocation at = order->getBeginLoc();
      Expr::EvalResult result;
      if (!order->EvaluateAsRValue(result, ctx_) || !result.Val.isInt()) {
        Add(at, "atomic-nonconstant");
      } else if (const char* name = OrderName(result.Val.getInt().getExtValue())) {
        Add(at, std::string("atomic-") + name);
      }
    }
    return true;
  }

  // ------------------------------------------------------------ buffers

  bool VisitBinaryOperator(BinaryOperator* op) {
    switch (op->getOpcode()) {
      case BO_Add:
      case BO_Sub:
      case BO_AddAssign:
      case BO_SubAssign:
        break;
      default:
        return true;
    }
    auto pointer = [](const Expr* e) {
      return e->getType()->isAnyPointerType() || e->IgnoreParenImpCasts()->getType()->isArrayType();
    };
    // p - q makes no pointer (and is checked by nothing that reads memory).
    // p - q makes no pointer; in a template, a dependent difference may be
    // either: the instantiations tell.
    if (op->getOpcode() == BO_Sub && !op->getType()->isAnyPointerType()) return true;
    if (pointer(op->getLHS()) || pointer(op->getRHS())) {
      Add(op->getOperatorLoc(), "pointer-arithmetic");
    }
    return true;
  }

  bool VisitUnaryOperator(UnaryOperator* op) {
    if (op->isIncrementDecrementOp() && op->getSubExpr()->getType()->isAnyPointerType()) {
      Add(op->getOperatorLoc(), "pointer-arithmetic");
    }
    return true;
  }

  bool VisitArraySubscriptExpr(ArraySubscriptExpr* expr) {
    Add(expr->getRBracketLoc().isValid() ? expr->getBeginLoc() : expr->getExprLoc(), "subscript");
    return true;
  }

  // ------------------------------------------------------------ opt-ins

  bool VisitClassTemplateSpecializationDecl(ClassTemplateSpecializationDecl* decl) {
    if (decl->getSpecializationKind() != TSK_ExplicitSpecialization) return true;
    const ClassTemplateDecl* tmpl = decl->getSpecializedTemplate();
    auto ns = Namespaces(tmpl);
    if (ns.size() == 2 && ns[0] == "ferrite" && ns[1] == "detail") {
      if (tmpl->getName() == "UnsafeImplSend") Add(decl->getBeginLoc(), "impl-send");
      if (tmpl->getName() == "UnsafeImplSync") Add(decl->getBeginLoc(), "impl-sync");
      if (tmpl->getName() == "UnsafeImplSyncMut") Add(decl->getBeginLoc(), "impl-sync-mut");
    }
    return true;
  }

 private:
  ASTContext& ctx_;
  SourceManager& sm_;
  const AuditOptions& options_;
  std::vector<Site> sites_;
  std::set<std::tuple<FileID, unsigned, std::string>> seen_;
  std::map<FileID, std::vector<Anchor>> anchors_;
  std::map<FileID, bool> audited_;
};

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string Trim(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(" \t\r");
  return text.substr(begin, end - begin + 1);
}

// The lines of a file (index 0 is line 1).
class FileLines {
 public:
  FileLines(SourceManager& sm, FileID file) {
    StringRef text = sm.getBufferData(file);
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == StringRef::npos) end = text.size();
      lines_.push_back(text.substr(start, end - start).str());
      start = end + 1;
    }
  }
  const std::string& Line(unsigned number) const { return lines_[number - 1]; }
  unsigned Size() const { return static_cast<unsigned>(lines_.size()); }

 private:
  std::vector<std::string> lines_;
};

// The notes in the block of `//` lines that ends on the line above `line`.
std::vector<Note> NotesAbove(const FileLines& lines, unsigned line) {
  unsigned first = line;
  while (first > 1 && Trim(lines.Line(first - 1)).rfind("//", 0) == 0) --first;
  std::vector<Note> notes;
  for (unsigned number = first; number < line; ++number) {
    std::string text = Trim(Trim(lines.Line(number)).substr(2));
    size_t open = text.find('(');
    std::string tag = open == std::string::npos ? "" : text.substr(0, open);
    size_t close = text.find("):", open == std::string::npos ? 0 : open);
    if ((tag == "SAFETY" || tag == "ORDERING") && close != std::string::npos) {
      Note note;
      note.tag = tag;
      note.id = text.substr(open + 1, close - open - 1);
      note.text = Trim(text.substr(close + 2));
      note.line = number;
      notes.push_back(note);
    } else if (!notes.empty() && !text.empty()) {
      notes.back().text += " " + text;
    }
  }
  return notes;
}

class AuditConsumer : public ASTConsumer {
 public:
  AuditConsumer(CompilerInstance& ci, AuditOptions options) : ci_(ci), options_(std::move(options)) {}

  void HandleTranslationUnit(ASTContext& ctx) override {
    if (!options_.enabled) return;
    SourceManager& sm = ctx.getSourceManager();
    AuditVisitor visitor(ctx, options_);
    visitor.TraverseDecl(ctx.getTranslationUnitDecl());

    // The opt-out regions: `unsafe_buffer_usage begin` ... `end` pairs.
    struct Region {
      FileID file;
      unsigned begin, end;
      SourceLocation loc;
    };
    std::vector<Region> regions;
    SmallVector<SourceLocation, 64> marks = ci_.getPreprocessor().serializeSafeBufferOptOutMap();
    for (size_t i = 0; i + 1 < marks.size(); i += 2) {
      auto [file, begin] = sm.getDecomposedExpansionLoc(marks[i]);
      auto [end_file, end] = sm.getDecomposedExpansionLoc(marks[i + 1]);
      if (file.isInvalid() || !visitor.Audited(file)) continue;
      if (end_file != file) end = ~0u;
      regions.push_back({file, begin, end, marks[i]});
      visitor.Add(marks[i], "buffers");
    }

    std::map<FileID, FileLines> files;
    auto lines_of = [&](FileID file) -> const FileLines& {
      auto found = files.find(file);
      if (found == files.end()) found = files.emplace(file, FileLines(sm, file)).first;
      return found->second;
    };
    // The lines a note may end above, best first.
    auto candidates = [&](FileID file, unsigned offset) {
      std::vector<Anchor> around;
      for (const Anchor& anchor : visitor.anchors()[file]) {
        if (anchor.begin <= offset && offset <= anchor.end) around.push_back(anchor);
      }
      std::sort(around.begin(), around.end(), [](const Anchor& a, const Anchor& b) {
        return std::make_tuple(a.end - a.begin, a.begin) < std::make_tuple(b.end - b.begin, b.begin);
      });
      std::vector<unsigned> out;
      out.push_back(sm.getLineNumber(file, offset));
      for (const Anchor& anchor : around) out.push_back(anchor.line);
      return out;
    };

    DiagnosticsEngine& diags = ctx.getDiagnostics();
    unsigned missing = diags.getCustomDiagID(
        options_.warn ? DiagnosticsEngine::Warning : DiagnosticsEngine::Error,
        "%0 without %select{a SAFETY|an ORDERING}1(id) note: write `// %select{SAFETY|ORDERING}1(id): "
        "%select{why it is sound|what it pairs with}1` on the lines directly above its statement "
        "[ferrite-audit]");
    std::string json;
    for (const Site& site : visitor.sites()) {
      bool atomic = IsAtomicKind(site.kind);
      const char* tag = atomic ? "ORDERING" : "SAFETY";
      const FileLines& lines = lines_of(site.file);
      std::vector<unsigned> where = candidates(site.file, site.offset);
      if (!atomic) {
        for (const Region& region : regions) {
          if (region.file == site.file && region.begin <= site.offset && site.offset <= region.end) {
            for (unsigned line : candidates(region.file, region.begin)) where.push_back(line);
          }
        }
      }
      const Note* found = nullptr;
      std::vector<Note> notes;
      for (unsigned line : where) {
        notes = NotesAbove(lines, line);
        for (const Note& note : notes) {
          if (note.tag == tag) {
            found = &note;
            break;
          }
        }
        if (found != nullptr) break;
      }
      unsigned line = sm.getLineNumber(site.file, site.offset);
      unsigned col = sm.getColumnNumber(site.file, site.offset);
      if (found == nullptr) diags.Report(sm.getExpansionLoc(site.loc), missing) << site.kind << (atomic ? 1 : 0);
      json += "{\"file\":" + JsonString(visitor.PathOf(site.file)) + ",\"line\":" + std::to_string(line) +
              ",\"col\":" + std::to_string(col) + ",\"kind\":" + JsonString(site.kind) +
              ",\"tag\":" + JsonString(tag) + ",\"id\":" + JsonString(found ? found->id : "") +
              ",\"note_line\":" + std::to_string(found ? found->line : 0) +
              ",\"note\":" + JsonString(found ? found->text : "") + "}\n";
    }
    if (!options_.out.empty()) {
      std::error_code error;
      llvm::raw_fd_ostream out(options_.out, error);
      if (error) {
        unsigned id = diags.getCustomDiagID(DiagnosticsEngine::Error, "ferrite-audit: cannot write %0: %1");
        diags.Report(id) << options_.out << error.message();
        return;
      }
      out << json;
    }
  }

 private:
  CompilerInstance& ci_;
  AuditOptions options_;
};

class AuditAction : public PluginASTAction {
 protected:
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance& ci, StringRef) override {
    return std::make_unique<AuditConsumer>(ci, options_);
  }

  bool ParseArgs(const CompilerInstance& ci, const std::vector<std::string>& args) override {
    for (const std::string& arg : args) {
      if (arg == "on") {
        options_.enabled = true;
      } else if (arg == "warn") {
        options_.warn = true;
      } else if (arg.rfind("prefix=", 0) == 0) {
        options_.prefixes.push_back(arg.substr(7));
      } else if (arg.rfind("out=", 0) == 0) {
        options_.out = arg.substr(4);
      } else {
        DiagnosticsEngine& diags = ci.getDiagnostics();
        unsigned id = diags.getCustomDiagID(DiagnosticsEngine::Error,
                                            "ferrite-audit: unknown argument '%0' (on, warn, prefix=P, out=FILE)");
        diags.Report(id) << arg;
        return false;
      }
    }
    if (options_.prefixes.empty()) options_.prefixes = {"include/ferrite/", "lib/"};
    return true;
  }

  ActionType getActionType() override { return AddAfterMainAction; }

 private:
  AuditOptions options_;
};

}  // namespace

static FrontendPluginRegistry::Add<AuditAction> kAuditRegistration(
    "ferrite-audit", "requires a SAFETY/ORDERING note on every unsafe construct in ferrite's own code");
