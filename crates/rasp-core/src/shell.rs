//! A shell tokenizer that draws token boundaries where `/bin/sh -c` does.
//!
//! # Why this exists
//!
//! PHP's `system()`, `exec()`, `passthru()`, `shell_exec()`, `popen()` and
//! `proc_open()` with a string all run `/bin/sh -c <command>`. The command
//! injection check finds each request parameter inside that command and asks
//! how many tokens the occurrence overlaps: a value that stays inside one
//! word was an argument; a value that spans a `;`, a `|`, a `$(`, or cuts a
//! quote open, changed what the shell runs. As with SQL, the check is only as
//! good as the boundaries, so this follows the shell's own rules for quoting,
//! escaping, operators and expansions rather than a simplified split on
//! spaces.
//!
//! Where `dash` (Debian's `/bin/sh`) and `bash` (`/bin/sh` on Red Hat and
//! friends) disagree, we follow bash, which accepts more: `$'...'`, `<( )`,
//! `&>`, `|&`, `;&`, `<<<`. Reading a bash-only construct where dash sees
//! something else costs at worst a false positive in the check; missing one
//! could cost a miss.
//!
//! # What a token is
//!
//! A [`ShellToken`] is a half-open range of code units (see [`crate::text`]).
//! Tokens come out sorted, non-empty and non-overlapping. Units no token
//! covers are blanks (space, tab) and line continuations (`\` + newline)
//! between words; a newline is a command separator, so it is an
//! [`ShellTokenKind::Operator`] token.
//!
//! A shell *word* like `a"b c"d` is one [`ShellTokenKind::Word`] token, since
//! quotes do not split words. Expansions do not split words either, but they
//! are where injected commands run, so they get tokens of their own and the
//! word is split around them:
//!
//! * `$x`, `$1`, `$@`, `${x}`, `${IFS}` and `${x:-default}` are one
//!   [`ShellTokenKind::ParameterExpansion`] token each, and `$((1+2))` one
//!   [`ShellTokenKind::ArithmeticExpansion`] token.
//! * `$( ... )`, `` `...` `` and `<( ... )`/`>( ... )` run commands, so
//!   they are an *opener* token (`$(`, `` ` ``, `<(`), the tokens of the
//!   commands inside, and a *closer* token (`)`, `` ` ``), the opener and
//!   closer having the kind [`ShellTokenKind::CommandSubstitution`] or
//!   [`ShellTokenKind::ProcessSubstitution`].
//! * An expansion nested inside another (`${x:-$(id)}`, `$(( $n + 1 ))`)
//!   splits its parent the same way: `${x:-` and `}` are parameter expansion
//!   pieces around the `$(`, `id`, `)` tokens.
//!
//! So `echo a$(id)b` is `echo`, `a`, `$(`, `id`, `)`, `b`, and the value
//! `$(id)` spans three tokens. Pieces of one shell word are adjacent
//! (`stop == next.start`); [`ShellToken::depth`] says how many command
//! substitutions enclose a token (0 at top level, 1 for `id` above, and the
//! opener and closer sit at the outer depth), so a caller can tell the
//! commands inside a substitution from the words around it.
//!
//! Here-documents are one [`ShellTokenKind::HereDoc`] token from the start of
//! the body through the terminating delimiter line; when the delimiter is
//! unquoted the body expands `$x`, `$(..)` and backticks, which split it as
//! above. A `#` starts a [`ShellTokenKind::Comment`] only where a word could
//! start.
//!
//! An unclosed quote or expansion marks the token that opened it, and the
//! token that ran into the end of input, as [`ShellToken::unterminated`].
//!
//! # Nesting without recursion
//!
//! Substitutions nest (`$(a $(b "$(c)"))`), and an attacker controls the
//! nesting depth, so nothing here recurses. The scanner keeps an explicit
//! stack of frames (command list, double quotes, `${`, `$((`, here-document
//! body), pushed when a construct opens and popped when it closes; every
//! step either consumes input or pops a frame, so the work is linear in the
//! input and the stack is bounded by it.
//!
//! Backquotes are the exception to "parse as you go": the shell finds the
//! closing backquote first (the first one not escaped by `\`, whatever the
//! quoting), then parses the inside. We do the same: the closing backquote
//! is found by a forward scan when the opener is seen, and everything nested
//! inside is cut off there. Escaped backquotes inside (`` \` ``) are nested
//! substitutions in the shell; here they are escaped characters of a word,
//! so the outer substitution is exact and the inner one is not split out.
//!
//! # Known simplifications
//!
//! `case` patterns inside `$( )` are recognized by tracking `case`, `in` and
//! `esac` in command position, which covers real scripts but is not a
//! parser. Line continuations inside operators (`&\<newline>&`) and bash's
//! `{fd}>` and `$[..]` forms are not modelled.

use crate::text::{addressable, CodeUnit, END};
pub use crate::text::{TokenizeStatus, DEFAULT_MAX_TOKENS};

#[cfg(test)]
mod tests;

/// One token: the code units `start..stop` of the command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ShellToken {
    /// Offset of the first code unit.
    pub start: u32,
    /// Offset one past the last code unit.
    pub stop: u32,
    /// What the token is.
    pub kind: ShellTokenKind,
    /// A quote, expansion or substitution opened here (or running through
    /// here) is never closed.
    pub unterminated: bool,
    /// How many command or process substitutions (`$( )`, backquotes,
    /// `<( )`) enclose this token; saturates at `u16::MAX`.
    pub depth: u16,
}

impl ShellToken {
    /// The token's range, for slicing the input.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.stop as usize
    }
}

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShellTokenKind {
    /// A word or a piece of one: `ls`, `-la`, `"a b"`, `a'b'c`, `x=1`.
    Word,
    /// `;` `&` `&&` `||` `|` `|&` `(` `)` `;;` `;&` `;;&` and newline.
    Operator,
    /// `>` `>>` `<` `<<` `<<-` `<<<` `<>` `>|` `>&` `<&` `&>` `&>>`,
    /// with a leading file descriptor (`2>`) and, for `>&`/`<&`, a
    /// trailing one (`2>&1`, `>&-`).
    Redirect,
    /// The `$(` or `` ` `` that opens a command substitution, or the `)` or
    /// `` ` `` that closes it.
    CommandSubstitution,
    /// `$(( ... ))`, or a piece of one split by a nested expansion.
    ArithmeticExpansion,
    /// `$x`, `$1`, `$@`, `${x}`, `${x:-y}`, or a piece of one.
    ParameterExpansion,
    /// The `<(` or `>(` that opens a process substitution, or its `)`.
    ProcessSubstitution,
    /// `# ...` up to the end of the line.
    Comment,
    /// A here-document body through its delimiter line, or a piece of one.
    HereDoc,
}

impl ShellTokenKind {
    /// A stable lower-case name, as exposed to plugins.
    pub fn as_str(self) -> &'static str {
        match self {
            ShellTokenKind::Word => "word",
            ShellTokenKind::Operator => "operator",
            ShellTokenKind::Redirect => "redirect",
            ShellTokenKind::CommandSubstitution => "command_substitution",
            ShellTokenKind::ArithmeticExpansion => "arithmetic_expansion",
            ShellTokenKind::ParameterExpansion => "parameter_expansion",
            ShellTokenKind::ProcessSubstitution => "process_substitution",
            ShellTokenKind::Comment => "comment",
            ShellTokenKind::HereDoc => "heredoc",
        }
    }
}

/// Tokenizes `cmd` with the default token cap.
pub fn cmd_tokenize(cmd: &str) -> Vec<ShellToken> {
    let mut out = Vec::new();
    ShellTokenizer::default().tokenize(cmd.as_bytes(), &mut out);
    out
}

/// The shell tokenizer. Holds only its limits; `tokenize` takes `&self`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShellTokenizer {
    /// Stop after this many tokens and report [`TokenizeStatus::Truncated`].
    pub max_tokens: usize,
}

impl Default for ShellTokenizer {
    fn default() -> Self {
        ShellTokenizer {
            max_tokens: DEFAULT_MAX_TOKENS,
        }
    }
}

impl ShellTokenizer {
    /// A tokenizer with the default token cap.
    pub fn new() -> Self {
        Self::default()
    }

    /// Clears `out` and fills it with the tokens of `input`.
    pub fn tokenize<U: CodeUnit>(&self, input: &[U], out: &mut Vec<ShellToken>) -> TokenizeStatus {
        out.clear();
        let (s, cut) = addressable(input);
        let mut lexer = Lexer {
            s,
            out,
            max_tokens: self.max_tokens,
            pos: 0,
            end: s.len(),
            view: s,
            base: Frame::new(FrameKind::Script, ShellTokenKind::Word, 0, 0, 0),
            stack: Vec::new(),
            piece_start: None,
            piece_unterminated: false,
            heredocs: Vec::new(),
            expect_delimiter: None,
            in_backtick: false,
        };
        match lexer.run() {
            Ok(()) if !cut => TokenizeStatus::Complete,
            _ => TokenizeStatus::Truncated,
        }
    }
}

/// The output vector is full.
struct Full;

type Step = Result<(), Full>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FrameKind {
    /// The whole input: a command list up to the end.
    Script,
    /// `$( ... )`: a command list up to `)`.
    CommandSub,
    /// `<( ... )`, `>( ... )`.
    ProcessSub,
    /// `` `...` ``: a command list up to `Frame::limit`.
    Backtick,
    /// `"..."`: belongs to the word around it.
    DoubleQuote,
    /// `${ ... }`.
    Brace,
    /// `$(( ... ))`.
    Arith,
    /// The body of a here-document with an unquoted delimiter.
    HereDoc,
}

impl FrameKind {
    fn is_command_list(self) -> bool {
        matches!(
            self,
            FrameKind::Script | FrameKind::CommandSub | FrameKind::ProcessSub | FrameKind::Backtick
        )
    }
}

/// Where `case` parsing is, so that a pattern's `)` does not close `$(`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CaseState {
    None,
    /// Saw `case`; the next word is the subject.
    Subject,
    /// Saw the subject; expecting `in`.
    In,
}

#[derive(Clone, Debug)]
struct Frame {
    kind: FrameKind,
    /// The kind of the word pieces scanned in this frame.
    piece: ShellTokenKind,
    depth: u16,
    /// `out.len()` when the frame opened: the index of its opening token.
    /// Positions and indices are `u32` (inputs are capped at `u32::MAX`
    /// units) to keep frames small: an attacker can make one per two bytes.
    first_token: u32,
    /// Command lists: inside a word, which started at `word_start`.
    in_word: bool,
    word_start: u32,
    /// Command lists: the next word is in command position.
    command_start: bool,
    /// Command lists: the next word is a redirection target.
    after_redirect: bool,
    /// Open subshell parentheses (command lists) or open parentheses
    /// (arithmetic).
    parens: u32,
    /// Command lists: open `case` statements.
    cases: u32,
    case_state: CaseState,
    /// Command lists: index into `Lexer::heredocs` of the first delimiter
    /// this list registered and has not read the body of.
    heredocs_from: u32,
    /// Backquotes: where the closing backquote is (or the end of input).
    limit: u32,
    /// Here-document bodies: which delimiter, and whether at a line start.
    doc: u32,
    line_start: bool,
}

impl Frame {
    fn new(
        kind: FrameKind,
        piece: ShellTokenKind,
        depth: u16,
        first_token: usize,
        heredocs_from: usize,
    ) -> Frame {
        // Both are bounded by the input length, which is at most u32::MAX.
        let (first_token, heredocs_from) = (first_token as u32, heredocs_from as u32);
        Frame {
            kind,
            piece,
            depth,
            first_token,
            in_word: false,
            word_start: 0,
            command_start: true,
            after_redirect: false,
            parens: 0,
            cases: 0,
            case_state: CaseState::None,
            heredocs_from,
            limit: 0,
            doc: 0,
            line_start: true,
        }
    }
}

/// A here-document delimiter waiting for (or being matched against) its
/// body.
struct HereDocSpec<U> {
    /// The delimiter after quote removal.
    delimiter: Vec<U>,
    /// `<<-`: leading tabs are stripped from body lines.
    strip_tabs: bool,
    /// Any part of the delimiter was quoted: the body is literal.
    quoted: bool,
}

struct Lexer<'a, U> {
    s: &'a [U],
    out: &'a mut Vec<ShellToken>,
    max_tokens: usize,
    pos: usize,
    /// The closing backquote of the open backquote substitution, or the end
    /// of input: nothing at or past it is looked at.
    end: usize,
    /// `s[..end]`.
    view: &'a [U],
    /// The bottom frame, kept out of `stack` so that commands without
    /// nesting allocate nothing.
    base: Frame,
    stack: Vec<Frame>,
    /// Start of the word piece being scanned, if any.
    piece_start: Option<usize>,
    /// The piece being scanned contains a single quote that never closes.
    piece_unterminated: bool,
    heredocs: Vec<HereDocSpec<U>>,
    /// The last token was `<<` (`Some(false)`) or `<<-` (`Some(true)`).
    expect_delimiter: Option<bool>,
    /// A backquote frame is open (they cannot nest; see the module docs).
    in_backtick: bool,
}

/// Class bits: which scanning contexts can skip a unit without looking at
/// it. A unit is "plain" in a context when it neither ends nor opens
/// anything there.
const PLAIN_WORD: u8 = 1;
const PLAIN_DOUBLE_QUOTE: u8 = 2;
const PLAIN_BRACE: u8 = 4;
const PLAIN_ARITH: u8 = 8;
const PLAIN_HEREDOC: u8 = 16;

/// Indexed by [`CodeUnit::table_index`]; every non-ASCII unit is plain.
static CLASS: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let mut bits = 0;
        if !matches!(
            c,
            b' ' | b'\t'
                | b'\n'
                | b';'
                | b'&'
                | b'|'
                | b'('
                | b')'
                | b'<'
                | b'>'
                | b'\\'
                | b'\''
                | b'"'
                | b'`'
                | b'$'
        ) {
            bits |= PLAIN_WORD;
        }
        if !matches!(c, b'"' | b'\\' | b'`' | b'$') {
            bits |= PLAIN_DOUBLE_QUOTE;
        }
        if !matches!(c, b'}' | b'\\' | b'\'' | b'"' | b'`' | b'$') {
            bits |= PLAIN_BRACE;
        }
        if !matches!(c, b'(' | b')' | b'\\' | b'"' | b'`' | b'$') {
            bits |= PLAIN_ARITH;
        }
        if !matches!(c, b'\n' | b'\\' | b'`' | b'$') {
            bits |= PLAIN_HEREDOC;
        }
        class[b] = bits;
        b += 1;
    }
    class
};

/// Characters that end an unquoted word.
#[inline(always)]
fn ends_word(b: u8) -> bool {
    matches!(
        b,
        END | b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>'
    )
}

impl<U: CodeUnit> Lexer<'_, U> {
    #[inline(always)]
    fn at(&self, i: usize) -> u8 {
        match self.view.get(i) {
            Some(u) => u.byte(),
            None => END,
        }
    }

    /// The first position from `j` (up to `end`) whose unit is not plain in
    /// the context `bits` names.
    #[inline(always)]
    fn skip_plain(&self, j: usize, bits: u8) -> usize {
        match self.view.get(j..) {
            Some(rest) => {
                j + rest
                    .iter()
                    .position(|u| CLASS[u.table_index()] & bits == 0)
                    .unwrap_or(rest.len())
            }
            None => j,
        }
    }

    #[inline(always)]
    fn top(&mut self) -> &mut Frame {
        self.stack.last_mut().unwrap_or(&mut self.base)
    }

    #[inline(always)]
    fn top_ref(&self) -> &Frame {
        self.stack.last().unwrap_or(&self.base)
    }

    /// Emits a token at the current frame's depth.
    fn emit(
        &mut self,
        start: usize,
        stop: usize,
        kind: ShellTokenKind,
        unterminated: bool,
    ) -> Step {
        if start >= stop {
            return Ok(());
        }
        if self.out.len() >= self.max_tokens {
            return Err(Full);
        }
        let depth = self.top_ref().depth;
        self.out.push(ShellToken {
            start: start as u32,
            stop: stop as u32,
            kind,
            unterminated,
            depth,
        });
        Ok(())
    }

    /// Emits the word piece scanned so far (up to `pos`), if any.
    fn flush_piece(&mut self, unterminated: bool) -> Step {
        if let Some(start) = self.piece_start.take() {
            let kind = self.top_ref().piece;
            let unterminated = unterminated || self.piece_unterminated;
            self.piece_unterminated = false;
            self.emit(start, self.pos, kind, unterminated)?;
        }
        Ok(())
    }

    /// After a frame closed at `pos`: the word around it goes on there.
    fn resume_piece(&mut self) {
        let pos = self.pos;
        let top = self.top_ref();
        if !top.kind.is_command_list() || top.in_word {
            self.piece_start = Some(pos);
        }
    }

    fn push_frame(&mut self, kind: FrameKind, first_token: usize) {
        let parent = self.top_ref();
        let depth = match kind {
            FrameKind::CommandSub | FrameKind::ProcessSub | FrameKind::Backtick => {
                parent.depth.saturating_add(1)
            }
            _ => parent.depth,
        };
        let piece = match kind {
            FrameKind::DoubleQuote => parent.piece,
            FrameKind::Brace => ShellTokenKind::ParameterExpansion,
            FrameKind::Arith => ShellTokenKind::ArithmeticExpansion,
            FrameKind::HereDoc => ShellTokenKind::HereDoc,
            _ => ShellTokenKind::Word,
        };
        let frame = Frame::new(kind, piece, depth, first_token, self.heredocs.len());
        self.stack.push(frame);
    }

    fn pop_frame(&mut self) -> Frame {
        let frame = self.stack.pop().expect("only pushed frames are popped");
        if frame.kind == FrameKind::Backtick {
            self.in_backtick = false;
            self.end = self.s.len();
            self.view = self.s;
        }
        frame
    }

    fn mark_unterminated(&mut self, token: usize) {
        if let Some(t) = self.out.get_mut(token) {
            t.unterminated = true;
        }
    }

    fn run(&mut self) -> Step {
        loop {
            if self.pos >= self.end {
                if self.in_backtick {
                    self.close_backtick()?;
                    continue;
                }
                return self.finish();
            }
            match self.top_ref().kind {
                FrameKind::Script
                | FrameKind::CommandSub
                | FrameKind::ProcessSub
                | FrameKind::Backtick => self.command()?,
                FrameKind::DoubleQuote => self.double_quote()?,
                FrameKind::Brace => self.brace()?,
                FrameKind::Arith => self.arith()?,
                FrameKind::HereDoc => self.heredoc()?,
            }
        }
    }

    /// Pops the top frame, which never closed.
    fn abandon_top(&mut self) -> Step {
        let quoted = !self.top_ref().kind.is_command_list();
        if quoted {
            self.flush_piece(true)?;
        } else if self.top_ref().in_word {
            self.end_word()?;
        }
        let frame = self.pop_frame();
        self.mark_unterminated(frame.first_token as usize);
        self.resume_piece();
        Ok(())
    }

    /// End of input: everything still open is unterminated.
    fn finish(&mut self) -> Step {
        while !self.stack.is_empty() {
            self.abandon_top()?;
        }
        if self.base.in_word {
            self.end_word()?;
        }
        Ok(())
    }

    /// `pos` reached the closing backquote (or the end of input inside
    /// backquotes): whatever opened inside is cut off there.
    fn close_backtick(&mut self) -> Step {
        while self.top_ref().kind != FrameKind::Backtick {
            self.abandon_top()?;
        }
        if self.top_ref().in_word {
            self.end_word()?;
        }
        let frame = self.pop_frame();
        let limit = frame.limit as usize;
        if limit < self.s.len() {
            self.emit(limit, limit + 1, ShellTokenKind::CommandSubstitution, false)?;
            self.pos = limit + 1;
        } else {
            self.mark_unterminated(frame.first_token as usize);
            self.pos = self.s.len();
        }
        self.resume_piece();
        Ok(())
    }

    // ---- command lists -----------------------------------------------------

    /// One step in a command list: a blank run, an operator, a redirection,
    /// a comment, or (part of) a word.
    fn command(&mut self) -> Step {
        if self.top_ref().in_word {
            return self.word();
        }
        let i = self.pos;
        match self.at(i) {
            b' ' | b'\t' => {
                let mut j = i + 1;
                while matches!(self.at(j), b' ' | b'\t') {
                    j += 1;
                }
                self.pos = j;
                Ok(())
            }
            b'\\' if self.at(i + 1) == b'\n' => {
                self.pos = i + 2;
                Ok(())
            }
            b'\n' => {
                self.operator(i, i + 1)?;
                self.read_heredocs(self.top_ref().heredocs_from as usize)
            }
            b'#' => {
                let mut j = i + 1;
                while !matches!(self.at(j), b'\n' | END) {
                    j += 1;
                }
                self.emit(i, j, ShellTokenKind::Comment, false)?;
                self.pos = j;
                Ok(())
            }
            b';' => {
                let stop = match (self.at(i + 1), self.at(i + 2)) {
                    (b';', b'&') => i + 3,
                    (b';', _) | (b'&', _) => i + 2,
                    _ => i + 1,
                };
                self.operator(i, stop)
            }
            b'&' => match (self.at(i + 1), self.at(i + 2)) {
                (b'&', _) => self.operator(i, i + 2),
                (b'>', b'>') => self.redirect_token(i, i + 3),
                (b'>', _) => self.redirect_token(i, i + 2),
                _ => self.operator(i, i + 1),
            },
            b'|' => match self.at(i + 1) {
                b'|' | b'&' => self.operator(i, i + 2),
                _ => self.operator(i, i + 1),
            },
            b'(' => {
                self.operator(i, i + 1)?;
                self.top().parens += 1;
                Ok(())
            }
            b')' => self.close_paren(i),
            b'<' | b'>' => self.redirect(i, i),
            b'0'..=b'9' => {
                let mut j = i + 1;
                while self.at(j).is_ascii_digit() {
                    j += 1;
                }
                if matches!(self.at(j), b'<' | b'>') {
                    self.redirect(i, j)
                } else {
                    self.start_word(i)
                }
            }
            _ => self.start_word(i),
        }
    }

    /// Emits a control operator; what follows is in command position.
    fn operator(&mut self, start: usize, stop: usize) -> Step {
        self.emit(start, stop, ShellTokenKind::Operator, false)?;
        self.pos = stop;
        self.expect_delimiter = None;
        let top = self.top();
        top.command_start = true;
        top.after_redirect = false;
        Ok(())
    }

    fn close_paren(&mut self, i: usize) -> Step {
        let top = self.top_ref();
        let closes_substitution = top.parens == 0
            && top.cases == 0
            && matches!(top.kind, FrameKind::CommandSub | FrameKind::ProcessSub);
        if !closes_substitution {
            let top = self.top();
            top.parens = top.parens.saturating_sub(1);
            return self.operator(i, i + 1);
        }
        let frame = self.pop_frame();
        let kind = if frame.kind == FrameKind::CommandSub {
            ShellTokenKind::CommandSubstitution
        } else {
            ShellTokenKind::ProcessSubstitution
        };
        self.emit(i, i + 1, kind, false)?;
        self.pos = i + 1;
        self.resume_piece();
        Ok(())
    }

    /// A redirection operator at `op`, with a file descriptor from `start`.
    fn redirect(&mut self, start: usize, op: usize) -> Step {
        let (b, n1, n2) = (self.at(op), self.at(op + 1), self.at(op + 2));
        if start == op && n1 == b'(' {
            // `<(` / `>(`: a process substitution, which is (part of) a word.
            let top = self.top();
            top.in_word = true;
            top.word_start = start as u32;
            let first = self.out.len();
            self.emit(op, op + 2, ShellTokenKind::ProcessSubstitution, false)?;
            self.push_frame(FrameKind::ProcessSub, first);
            self.pos = op + 2;
            return Ok(());
        }
        let mut heredoc = None;
        let mut stop = match (b, n1, n2) {
            (b'<', b'<', b'<') => op + 3,
            (b'<', b'<', b'-') => {
                heredoc = Some(true);
                op + 3
            }
            (b'<', b'<', _) => {
                heredoc = Some(false);
                op + 2
            }
            (b'<', b'>' | b'&', _) | (b'>', b'>' | b'|' | b'&', _) => op + 2,
            _ => op + 1,
        };
        if self.at(stop - 1) == b'&' {
            // `2>&1`, `>&-`: the target descriptor belongs to the operator.
            let mut k = stop;
            while self.at(k).is_ascii_digit() {
                k += 1;
            }
            if k == stop && self.at(k) == b'-' {
                k += 1;
            }
            if k > stop && ends_word(self.at(k)) {
                stop = k;
            }
        }
        self.redirect_token(start, stop)?;
        self.expect_delimiter = heredoc;
        Ok(())
    }

    fn redirect_token(&mut self, start: usize, stop: usize) -> Step {
        self.emit(start, stop, ShellTokenKind::Redirect, false)?;
        self.pos = stop;
        self.expect_delimiter = None;
        self.top().after_redirect = true;
        Ok(())
    }

    fn start_word(&mut self, i: usize) -> Step {
        if let Some(strip_tabs) = self.expect_delimiter.take() {
            return self.delimiter_word(i, strip_tabs);
        }
        let top = self.top();
        top.in_word = true;
        top.word_start = i as u32;
        self.piece_start = Some(i);
        self.word()
    }

    /// Scans the rest of an unquoted word until it ends or something nested
    /// opens.
    fn word(&mut self) -> Step {
        let mut j = self.pos;
        loop {
            j = self.skip_plain(j, PLAIN_WORD);
            match self.at(j) {
                b if ends_word(b) => {
                    self.pos = j;
                    return self.end_word();
                }
                b'\\' => j = (j + 2).min(self.end),
                b'\'' => j = self.single_quote(j),
                b'"' => {
                    self.pos = j + 1;
                    let first = self.out.len();
                    self.push_frame(FrameKind::DoubleQuote, first);
                    return Ok(());
                }
                b'`' if !self.in_backtick => {
                    self.pos = j;
                    return self.open_backtick();
                }
                b'$' => {
                    self.pos = j;
                    return self.dollar(true);
                }
                _ => j += 1,
            }
        }
    }

    /// A single-quoted run starting at `i`; returns where it ends.
    fn single_quote(&mut self, i: usize) -> usize {
        let mut j = i + 1;
        loop {
            match self.at(j) {
                b'\'' => return j + 1,
                END => {
                    self.piece_unterminated = true;
                    return self.end.max(i + 1);
                }
                _ => j += 1,
            }
        }
    }

    /// The word that started at `word_start` ends at `pos`.
    fn end_word(&mut self) -> Step {
        self.flush_piece(false)?;
        let pos = self.pos;
        let (word_start, reserved) = {
            let top = self.top_ref();
            (top.word_start, top.command_start && !top.after_redirect)
        };
        let s = self.s;
        let raw = &s[word_start as usize..pos];
        let is = |w: &[u8]| {
            raw.len() == w.len() && raw.iter().zip(w).all(|(u, &c)| u.ascii() == Some(c))
        };
        let assignment = reserved && is_assignment(raw);
        let top = self.top();
        top.in_word = false;
        if top.after_redirect {
            top.after_redirect = false;
            return Ok(());
        }
        if !reserved && top.case_state == CaseState::None {
            // An argument: no keyword can follow.
            top.command_start = false;
            return Ok(());
        }
        match top.case_state {
            CaseState::Subject => {
                top.case_state = CaseState::In;
                top.command_start = false;
                return Ok(());
            }
            CaseState::In if is(b"in") => {
                // Patterns follow, and `esac` may too.
                top.case_state = CaseState::None;
                top.command_start = true;
                return Ok(());
            }
            _ => {}
        }
        if reserved && is(b"case") {
            top.cases += 1;
            top.case_state = CaseState::Subject;
            top.command_start = false;
        } else if reserved && is(b"esac") {
            top.cases = top.cases.saturating_sub(1);
            top.command_start = false;
        } else {
            // Reserved words that a command follows, and assignments, keep
            // the next word in command position.
            const LEAD_INS: [&[u8]; 10] = [
                b"if", b"then", b"else", b"elif", b"do", b"while", b"until", b"!", b"{", b"time",
            ];
            top.command_start = reserved && (assignment || LEAD_INS.iter().any(|w| is(w)));
        }
        Ok(())
    }

    /// A here-document delimiter word: quotes are removed, nothing expands.
    fn delimiter_word(&mut self, start: usize, strip_tabs: bool) -> Step {
        let mut delimiter = Vec::new();
        let mut quoted = false;
        let mut unterminated = false;
        let mut j = start;
        loop {
            match self.at(j) {
                b if ends_word(b) => break,
                b'\\' => {
                    quoted = true;
                    if j + 1 < self.end {
                        delimiter.push(self.s[j + 1]);
                    }
                    j = (j + 2).min(self.end);
                }
                q @ (b'\'' | b'"') => {
                    quoted = true;
                    j += 1;
                    loop {
                        match self.at(j) {
                            END => {
                                unterminated = true;
                                break;
                            }
                            b if b == q => {
                                j += 1;
                                break;
                            }
                            b'\\'
                                if q == b'"'
                                    && matches!(
                                        self.at(j + 1),
                                        b'$' | b'`' | b'"' | b'\\' | b'\n'
                                    ) =>
                            {
                                delimiter.push(self.s[j + 1]);
                                j += 2;
                            }
                            _ => {
                                delimiter.push(self.s[j]);
                                j += 1;
                            }
                        }
                    }
                }
                _ => {
                    delimiter.push(self.s[j]);
                    j += 1;
                }
            }
        }
        self.emit(start, j, ShellTokenKind::Word, unterminated)?;
        self.pos = j;
        self.heredocs.push(HereDocSpec {
            delimiter,
            strip_tabs,
            quoted,
        });
        let top = self.top();
        top.after_redirect = false;
        top.command_start = false;
        Ok(())
    }

    // ---- expansions ----------------------------------------------------------

    /// `$` at `pos`, inside a word, double quotes, `${ }`, `$(( ))` or a
    /// here-document. `ansi_c`: `$'...'` is a quote here.
    fn dollar(&mut self, ansi_c: bool) -> Step {
        use ShellTokenKind::*;
        let i = self.pos;
        match self.at(i + 1) {
            b'(' if self.at(i + 2) == b'(' => {
                self.flush_piece(false)?;
                let first = self.out.len();
                self.push_frame(FrameKind::Arith, first);
                self.piece_start = Some(i);
                self.pos = i + 3;
            }
            b'(' => {
                self.flush_piece(false)?;
                let first = self.out.len();
                self.emit(i, i + 2, CommandSubstitution, false)?;
                self.push_frame(FrameKind::CommandSub, first);
                self.pos = i + 2;
            }
            b'{' => {
                self.flush_piece(false)?;
                let first = self.out.len();
                self.push_frame(FrameKind::Brace, first);
                self.piece_start = Some(i);
                self.pos = i + 2;
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let mut k = i + 2;
                while matches!(self.at(k), b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'0'..=b'9') {
                    k += 1;
                }
                self.expansion(i, k)?;
            }
            b'0'..=b'9' | b'@' | b'*' | b'#' | b'?' | b'-' | b'$' | b'!' => {
                self.expansion(i, i + 2)?
            }
            b'\'' if ansi_c && self.top_ref().kind.is_command_list() => {
                // bash's `$'...'`: backslash escapes, including `\'`.
                let mut j = i + 2;
                loop {
                    match self.at(j) {
                        b'\'' => {
                            j += 1;
                            break;
                        }
                        END => {
                            self.piece_unterminated = true;
                            j = self.end;
                            break;
                        }
                        b'\\' => j = (j + 2).min(self.end),
                        _ => j += 1,
                    }
                }
                self.pos = j;
            }
            _ => self.pos = i + 1,
        }
        Ok(())
    }

    /// A one-token parameter expansion `start..stop`; the word goes on after.
    fn expansion(&mut self, start: usize, stop: usize) -> Step {
        self.flush_piece(false)?;
        self.emit(start, stop, ShellTokenKind::ParameterExpansion, false)?;
        self.pos = stop;
        self.piece_start = Some(stop);
        Ok(())
    }

    /// A backquote at `pos` opens a command substitution that ends at the
    /// next unescaped backquote.
    fn open_backtick(&mut self) -> Step {
        let i = self.pos;
        self.flush_piece(false)?;
        let mut j = i + 1;
        while j < self.end {
            match self.s[j].byte() {
                b'\\' => j += 2,
                b'`' => break,
                _ => j += 1,
            }
        }
        let limit = j.min(self.end);
        let first = self.out.len();
        self.emit(i, i + 1, ShellTokenKind::CommandSubstitution, false)?;
        self.push_frame(FrameKind::Backtick, first);
        self.top().limit = limit as u32;
        self.in_backtick = true;
        self.end = limit;
        self.view = &self.s[..limit];
        self.pos = i + 1;
        Ok(())
    }

    fn double_quote(&mut self) -> Step {
        let mut j = self.pos;
        loop {
            j = self.skip_plain(j, PLAIN_DOUBLE_QUOTE);
            match self.at(j) {
                END => {
                    self.pos = j;
                    return Ok(());
                }
                b'"' => {
                    self.pos = j + 1;
                    self.pop_frame();
                    return Ok(());
                }
                b'\\' if matches!(self.at(j + 1), b'$' | b'`' | b'"' | b'\\' | b'\n') => j += 2,
                b'`' if !self.in_backtick => {
                    self.pos = j;
                    return self.open_backtick();
                }
                b'$' => {
                    self.pos = j;
                    return self.dollar(false);
                }
                _ => j += 1,
            }
        }
    }

    /// Inside `${ ... }`: the first `}` outside quotes and nested expansions
    /// closes it (braces are not counted; bash and dash agree).
    fn brace(&mut self) -> Step {
        let mut j = self.pos;
        loop {
            j = self.skip_plain(j, PLAIN_BRACE);
            match self.at(j) {
                END => {
                    self.pos = j;
                    return Ok(());
                }
                b'}' => {
                    self.pos = j + 1;
                    self.flush_piece(false)?;
                    self.pop_frame();
                    self.resume_piece();
                    return Ok(());
                }
                b'\\' => j = (j + 2).min(self.end),
                b'\'' => j = self.single_quote(j),
                b'"' => {
                    self.pos = j + 1;
                    let first = self.out.len();
                    self.push_frame(FrameKind::DoubleQuote, first);
                    return Ok(());
                }
                b'`' if !self.in_backtick => {
                    self.pos = j;
                    return self.open_backtick();
                }
                b'$' => {
                    self.pos = j;
                    return self.dollar(false);
                }
                _ => j += 1,
            }
        }
    }

    /// Inside `$(( ... ))`: `))` at parenthesis depth zero closes it.
    fn arith(&mut self) -> Step {
        let mut j = self.pos;
        loop {
            j = self.skip_plain(j, PLAIN_ARITH);
            match self.at(j) {
                END => {
                    self.pos = j;
                    return Ok(());
                }
                b'(' => {
                    self.top().parens += 1;
                    j += 1;
                }
                b')' if self.top_ref().parens > 0 => {
                    self.top().parens -= 1;
                    j += 1;
                }
                b')' if self.at(j + 1) == b')' => {
                    self.pos = j + 2;
                    self.flush_piece(false)?;
                    self.pop_frame();
                    self.resume_piece();
                    return Ok(());
                }
                b'\\' => j = (j + 2).min(self.end),
                b'"' => {
                    self.pos = j + 1;
                    let first = self.out.len();
                    self.push_frame(FrameKind::DoubleQuote, first);
                    return Ok(());
                }
                b'`' if !self.in_backtick => {
                    self.pos = j;
                    return self.open_backtick();
                }
                b'$' => {
                    self.pos = j;
                    return self.dollar(false);
                }
                _ => j += 1,
            }
        }
    }

    // ---- here-documents ------------------------------------------------------

    /// After a newline: read the bodies of the here-documents registered by
    /// the current command list, from index `from` on.
    fn read_heredocs(&mut self, from: usize) -> Step {
        let mut doc = from;
        while doc < self.heredocs.len() {
            if !self.heredocs[doc].quoted {
                let first = self.out.len();
                self.push_frame(FrameKind::HereDoc, first);
                let top = self.top();
                top.doc = doc as u32;
                top.line_start = true;
                self.piece_start = Some(self.pos);
                return Ok(());
            }
            let start = self.pos;
            let mut line = start;
            let (stop, unterminated) = loop {
                if let Some(stop) = self.delimiter_line(line, doc) {
                    break (stop, false);
                }
                match (line..self.end).find(|&k| self.s[k].byte() == b'\n') {
                    Some(k) => line = k + 1,
                    None => break (self.end, true),
                }
            };
            self.emit(start, stop, ShellTokenKind::HereDoc, unterminated)?;
            self.pos = stop;
            doc += 1;
        }
        let from = self.top_ref().heredocs_from as usize;
        self.heredocs.truncate(from);
        Ok(())
    }

    /// If the line at `line` is the delimiter of here-document `doc`, where
    /// the line ends (past its newline).
    fn delimiter_line(&self, line: usize, doc: usize) -> Option<usize> {
        let spec = &self.heredocs[doc];
        let mut k = line;
        if spec.strip_tabs {
            while self.at(k) == b'\t' {
                k += 1;
            }
        }
        for &u in &spec.delimiter {
            if k >= self.end || self.s[k] != u {
                return None;
            }
            k += 1;
        }
        match self.at(k) {
            b'\n' => Some(k + 1),
            END => Some(k),
            _ => None,
        }
    }

    /// Inside an unquoted here-document body: expansions, backslashes before
    /// `$`, `` ` `` and `\`, and the delimiter line that ends it.
    fn heredoc(&mut self) -> Step {
        let (doc, line_start) = {
            let top = self.top_ref();
            (top.doc as usize, top.line_start)
        };
        if line_start {
            if let Some(stop) = self.delimiter_line(self.pos, doc) {
                self.pos = stop;
                self.flush_piece(false)?;
                self.pop_frame();
                return self.read_heredocs(doc + 1);
            }
            self.top().line_start = false;
        }
        let mut j = self.pos;
        loop {
            j = self.skip_plain(j, PLAIN_HEREDOC);
            match self.at(j) {
                END => {
                    self.pos = j;
                    return Ok(());
                }
                b'\n' => {
                    self.pos = j + 1;
                    self.top().line_start = true;
                    return Ok(());
                }
                b'\\' if matches!(self.at(j + 1), b'$' | b'`' | b'\\' | b'\n') => j += 2,
                b'`' if !self.in_backtick => {
                    self.pos = j;
                    return self.open_backtick();
                }
                b'$' => {
                    self.pos = j;
                    return self.dollar(false);
                }
                _ => j += 1,
            }
        }
    }
}

/// `name=...` with a valid shell name: an assignment, after which the next
/// word is still in command position. Looks only at the name, so the cost is
/// the word's own leading text, never what is nested in it.
fn is_assignment<U: CodeUnit>(raw: &[U]) -> bool {
    let name_len = raw
        .iter()
        .take_while(|u| {
            u.ascii()
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
        .count();
    name_len > 0
        && !raw[0].ascii().is_some_and(|b| b.is_ascii_digit())
        && raw.get(name_len).and_then(|u| u.ascii()) == Some(b'=')
}
