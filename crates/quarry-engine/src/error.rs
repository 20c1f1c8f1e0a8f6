//! Query errors, each with the `details[].code` the API reports for it.

use kql_syntax::{ParseError, Span};

/// Everything that can stop a query. The messages of the resource and time limits are
/// the service's own words (see the advanced hunting errors page).
#[derive(Debug, Clone, thiserror::Error)]
pub enum QueryError {
    #[error("{0}")]
    Syntax(ParseError),
    /// A well-formed query that names something unknown or mixes types wrongly.
    #[error("{message}")]
    Semantic { message: String, span: Span },
    /// A construct Quarry does not execute yet: refusing beats a wrong answer.
    #[error("{construct} is not supported")]
    NotSupported { construct: String },
    #[error("Query stopped due to excessive resource consumption.")]
    ResourcesExhausted,
    #[error("Query exceeded the timeout period.")]
    Timeout,
    #[error("{0}")]
    Execution(String),
}

impl QueryError {
    pub fn semantic(message: impl Into<String>, span: Span) -> Self {
        QueryError::Semantic {
            message: message.into(),
            span,
        }
    }

    pub fn not_supported(construct: impl Into<String>) -> Self {
        QueryError::NotSupported {
            construct: construct.into(),
        }
    }

    /// The `details[].code` of the API error body.
    pub fn details_code(&self) -> &'static str {
        match self {
            QueryError::Syntax(_) => "SyntaxError",
            QueryError::Semantic { .. } => "SemanticError",
            QueryError::NotSupported { .. } => "NotSupported",
            QueryError::ResourcesExhausted => "ResourcesExhausted",
            QueryError::Timeout => "Timeout",
            QueryError::Execution(_) => "ExecutionError",
        }
    }

    /// The byte span the error points at, when it points at one.
    pub fn span(&self) -> Option<Span> {
        match self {
            QueryError::Syntax(e) => Some(e.span),
            QueryError::Semantic { span, .. } => Some(*span),
            _ => None,
        }
    }
}

impl From<ParseError> for QueryError {
    fn from(e: ParseError) -> Self {
        QueryError::Syntax(e)
    }
}

impl From<datafusion::error::DataFusionError> for QueryError {
    /// DataFusion's memory-limit failure may arrive wrapped in context or shared errors;
    /// the root decides whether this is the resource limit.
    fn from(e: datafusion::error::DataFusionError) -> Self {
        use datafusion::error::DataFusionError;
        match e.find_root() {
            DataFusionError::ResourcesExhausted(_) => QueryError::ResourcesExhausted,
            DataFusionError::NotImplemented(what) => QueryError::not_supported(what.clone()),
            _ => {
                let text = e.to_string();
                if text.contains("Resources exhausted") {
                    QueryError::ResourcesExhausted
                } else {
                    QueryError::Execution(text)
                }
            }
        }
    }
}

/// Shorthand for planner and engine results.
pub type Result<T, E = QueryError> = std::result::Result<T, E>;
